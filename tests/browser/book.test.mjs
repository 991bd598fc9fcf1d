// Tests the built book (target/book) as a reader uses it, in headless
// Chromium driven by playwright-core. `./check.sh` runs it after `mdbook
// build`; by hand (after one ./check.sh has installed the tools):
//
//   node --test-reporter=spec tests/browser/book.test.mjs
//
// The pages come from book/src/SUMMARY.md and every check is generic, so a
// new page is tested without changing this file. Nothing leaves the machine:
// the book is served on 127.0.0.1, the playground's crate list and its Run
// service are answered by the test, and any other request to another site
// fails the page. Screenshots go to target/browser-screenshots/ (a few key
// views, and one for every page that fails a check).
//
// Environment (all optional): BOOK_DIR (target/book), CHROMIUM
// (/usr/bin/chromium), BROWSER_TOOLS (.tools/browser: where check.sh installs
// playwright-core), SCREENSHOTS (target/browser-screenshots).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { fileFor, serveBook } from './serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fromRoot = p => path.resolve(ROOT, p);
const BOOK = fromRoot(process.env.BOOK_DIR ?? 'target/book');
const SRC = fromRoot('book/src');
const SHOTS = fromRoot(process.env.SCREENSHOTS ?? 'target/browser-screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TOOLS = fromRoot(process.env.BROWSER_TOOLS ?? '.tools/browser');

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const MOCK_RUN_OUTPUT = 'output from the test, standing in for the playground';

// ---------------------------------------------------------------- inputs

const read = p => fs.readFileSync(p, 'utf8');

/** The chapters SUMMARY.md links to, in order. */
function summaryPages() {
    const pages = [];
    for (const [, title, target] of read(path.join(SRC, 'SUMMARY.md')).matchAll(/\[([^\]]*)\]\(([^)]*)\)/g)) {
        const md = target.trim();
        if (!md.endsWith('.md') || /^[a-z]+:/i.test(md)) {
            continue; // a draft chapter `[x]()` or an outside link
        }
        const html = path.basename(md) === 'README.md'
            ? md.replace(/README\.md$/, 'index.html')
            : md.replace(/\.md$/, '.html');
        pages.push({ title, md, html });
    }
    return pages;
}

/** The URL path the book is published under: book.toml's site-url. */
function sitePrefix() {
    const match = read(fromRoot('book.toml')).match(/^\s*site-url\s*=\s*"([^"]*)"/m);
    let prefix = match ? match[1] : '/';
    if (!prefix.startsWith('/')) prefix = '/' + prefix;
    return prefix.endsWith('/') ? prefix : prefix + '/';
}

/** The crates tests/book.rs lets a Run button use (one list for both tests). */
function playgroundCrates() {
    const match = read(fromRoot('tests/book.rs')).match(/const PLAYGROUND_CRATES: &\[&str\] = &\[([^\]]*)\]/);
    assert.ok(match, 'tests/book.rs must declare PLAYGROUND_CRATES');
    return [...match[1].matchAll(/"([^"]+)"/g)].map(m => m[1]);
}

/** Every .html file in the build, relative to it. */
function builtHtmlFiles(dir = BOOK) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return builtHtmlFiles(full);
        return entry.name.endsWith('.html') ? [path.relative(BOOK, full)] : [];
    });
}

/** How many questions the quiz on `md` has (book/quiz.py renders one
 * fieldset each), or 0 for a page without `{{#quiz FILE}}`. */
function quizQuestions(md) {
    const directive = read(path.join(SRC, md)).match(/\{\{#quiz\s+(\S+?)\s*\}\}/);
    if (!directive) return 0;
    const toml = read(path.resolve(path.dirname(path.join(SRC, md)), directive[1]));
    return toml.split('\n').filter(line => line.trim() === '[[question]]').length;
}

const PAGES = summaryPages();
const PREFIX = sitePrefix();
const CRATES = playgroundCrates();
const SEARCH_TERMS = JSON.parse(read(path.join(path.dirname(fileURLToPath(import.meta.url)), 'search-terms.json')));

// ---------------------------------------------------------------- browser

let server;
let browser;
let desktop; // one browser context for every desktop test
let runRequests = []; // what the Run buttons sent to the (mocked) playground

before(async () => {
    assert.ok(fs.existsSync(path.join(BOOK, 'index.html')), `${BOOK} has no index.html: run mdbook build first`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: ./check.sh installs Debian's chromium (or set CHROMIUM)`);
    const require = createRequire(path.join(TOOLS, 'package.json'));
    let chromium;
    try {
        ({ chromium } = require('playwright-core'));
    } catch (error) {
        assert.fail(`playwright-core is not installed in ${TOOLS} (./check.sh installs it): ${error.message}`);
    }
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await serveBook(BOOK, PREFIX);
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        // Root needs --no-sandbox; the rest keep Chromium off the network.
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    desktop = await newContext({ viewport: DESKTOP });
});

after(async () => {
    await browser?.close();
    await server?.close();
});

/** A browser context whose requests to other sites never leave the machine. */
async function newContext(options) {
    const context = await browser.newContext({ serviceWorkers: 'block', ...options });
    // Generous: the browser shares two cores with `mdbook test` and
    // `cargo test`, and print.html (the whole book) once took over 10 s to load.
    context.setDefaultTimeout(30_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await context.route(url => url.origin !== server.origin, async route => {
        const request = route.request();
        const cors = { 'access-control-allow-origin': '*' };
        if (request.url() === 'https://play.rust-lang.org/meta/crates') {
            const crates = CRATES.map(id => ({ id, name: id, version: '0.0.0' }));
            return route.fulfill({ json: { crates }, headers: cors });
        }
        if (request.url() === 'https://play.rust-lang.org/evaluate.json') {
            runRequests.push(JSON.parse(request.postData() ?? '{}'));
            return route.fulfill({ json: { result: MOCK_RUN_OUTPUT, error: null }, headers: cors });
        }
        return route.abort(); // reported by the page's `requestfailed` watcher
    });
    return context;
}

/** Collects what goes wrong in `page` until `stop()` is called. */
function watch(page) {
    const problems = [];
    const onConsole = m => m.type() === 'error' && problems.push(`console error: ${m.text()}`);
    const onError = e => problems.push(`uncaught exception: ${e.message}`);
    const onResponse = r => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`);
    const onFailed = r => {
        const error = r.failure()?.errorText;
        if (!r.url().startsWith(server.origin)) {
            problems.push(`requested ${r.url()} from another site: the book must not load anything from elsewhere`);
        } else if (error !== 'net::ERR_ABORTED') { // a load cut short by the next page: no defect
            problems.push(`request failed: ${r.url()} (${error})`);
        }
    };
    page.on('console', onConsole);
    page.on('pageerror', onError);
    page.on('response', onResponse);
    page.on('requestfailed', onFailed);
    const stop = () => {
        page.off('console', onConsole);
        page.off('pageerror', onError);
        page.off('response', onResponse);
        page.off('requestfailed', onFailed);
        return problems;
    };
    return { problems, stop };
}

/** Opens `file` (relative to the book) in `page`; returns what went wrong,
 * and goes on collecting into that list until the next `open`. */
async function open(page, file) {
    page.stopWatching?.();
    const { problems, stop } = watch(page);
    page.stopWatching = stop;
    const response = await page.goto(server.base + file, { waitUntil: 'load' });
    if (!response || response.status() !== 200) {
        problems.push(`${file} answered ${response?.status()}`);
    }
    // The Run buttons wait for the playground's crate list; the page script
    // then either shows each one or adds the class `hidden`.
    await page.waitForFunction(() => [...document.querySelectorAll('.play-button')]
        .every(b => b.classList.contains('hidden') || !b.hidden))
        .catch(() => problems.push('the Run buttons never got the playground\'s crate list'));
    // A practice page keeps each solution in a closed <details>: open them,
    // so that every check below sees the solutions as a reader who opens them.
    await page.evaluate(() => document.querySelectorAll('main details').forEach(d => { d.open = true; }));
    return problems;
}

const safeName = s => s.replace(/[^A-Za-z0-9._-]+/g, '_');

async function screenshot(page, name, options = {}) {
    await page.screenshot({ path: path.join(SHOTS, `${safeName(name)}.png`), ...options });
}

/** Fails with every problem listed, one per line. */
function report(problems, what) {
    assert.ok(problems.length === 0, `${what}:\n  ${problems.join('\n  ')}\n(screenshots in ${path.relative(ROOT, SHOTS)})`);
}

// What a page holds, read once per file and shared by the tests below.
const pageInfo = new Map();

async function inspect(page) {
    return page.evaluate(() => {
        const main = document.querySelector('main');
        const codes = main ? [...main.querySelectorAll('pre > code')] : [];
        return {
            hasMain: Boolean(main),
            quizQuestions: main ? main.querySelectorAll('section.quiz > fieldset.quiz-question').length : 0,
            text: main ? main.innerText : '',
            ids: [...document.querySelectorAll('[id]')].map(e => e.id)
                .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
            links: [...document.querySelectorAll('a[href]')].map(a => ({
                href: a.href,
                headingAnchor: a.classList.contains('header') && a.getAttribute('href').startsWith('#'),
                edit: a.rel === 'edit',
            })),
            inlineCode: main ? [...main.querySelectorAll('p code, li code, td code')].map(c => c.textContent.trim()) : [],
            blocks: codes.map(code => {
                const pre = code.parentElement;
                const run = pre.querySelector('.play-button');
                return {
                    classes: [...code.classList],
                    source: code.textContent,
                    shown: code.innerText,
                    hiddenLines: code.querySelectorAll('.boring').length,
                    runVisible: Boolean(run) && !run.hidden && !run.classList.contains('hidden')
                        && getComputedStyle(run).display !== 'none',
                };
            }),
        };
    });
}

/** What `file` holds, loading it in the desktop context when not yet read. */
async function info(file) {
    if (!pageInfo.has(file)) {
        const page = await desktop.newPage();
        try {
            const problems = await open(page, file);
            pageInfo.set(file, { problems, ...(await inspect(page)) });
        } finally {
            await page.close();
        }
    }
    return pageInfo.get(file);
}

const blockName = (page, index) => `${page.html}, code block ${index + 1}`;

// ---------------------------------------------------------------- tests

test('SUMMARY.md lists pages, and each one was built', () => {
    assert.ok(PAGES.length > 0, 'SUMMARY.md lists no pages');
    const missing = PAGES.filter(p => !fs.existsSync(path.join(BOOK, p.html))).map(p => `${p.md}: no ${p.html} in the build`);
    const stale = Object.keys(SEARCH_TERMS).filter(md => !PAGES.some(p => p.md === md))
        .map(md => `tests/browser/search-terms.json names ${md}, which SUMMARY.md does not list`);
    report([...missing, ...stale], 'pages');
});

test('every page loads cleanly and shows every code block, hidden lines on demand', { timeout: 180_000 }, async () => {
    const problems = [];
    const page = await desktop.newPage();
    for (const chapter of PAGES) {
        const watched = await open(page, chapter.html);
        const found = [];
        const data = await inspect(page);
        pageInfo.set(chapter.html, { problems: [], ...data });
        if (!data.hasMain) found.push(`${chapter.html}: no <main> element`);
        if (data.text.includes('{{#') || data.blocks.some(b => b.source.includes('{{#'))) {
            found.push(`${chapter.html}: shows a raw {{#...}} directive`);
        }
        const questions = quizQuestions(chapter.md);
        if (data.quizQuestions !== questions) {
            found.push(`${chapter.html}: its quiz shows ${data.quizQuestions} questions, its quiz file has ${questions}`);
        }
        data.blocks.forEach((block, index) => {
            if (block.shown.trim() === '') {
                found.push(`${blockName(chapter, index)} is empty on the page` +
                    (block.hiddenLines ? ' (every line is hidden: check the anchor name)' : ''));
            }
        });
        // Press each "Show hidden lines" button: every hidden line appears,
        // and a second press hides them again.
        // All the page's buttons at once: one layout for each of the three
        // states, not three for every listing.
        const hiddenLines = await page.evaluate(() => {
            const failures = [];
            const listings = [...document.querySelectorAll('main pre > code')]
                .map((code, index) => ({ code, where: `code block ${index + 1}`, boring: [...code.querySelectorAll('.boring')] }))
                .filter(listing => listing.boring.length > 0);
            for (const listing of listings) {
                listing.button = listing.code.parentElement.querySelector(':scope > .buttons > button[title="Show hidden lines"]');
                if (!listing.button) failures.push(`${listing.where} has hidden lines but no "Show hidden lines" button`);
            }
            const pressable = listings.filter(listing => listing.button);
            const allHidden = l => l.boring.every(b => getComputedStyle(b).display === 'none');
            const allShown = l => l.boring.every(b => getComputedStyle(b).display !== 'none');
            for (const l of pressable) {
                if (!allHidden(l)) failures.push(`${l.where}: hidden lines show before the button is pressed`);
                l.before = l.code.innerText.length;
            }
            pressable.forEach(l => l.button.click());
            for (const l of pressable) {
                if (!allShown(l) || l.code.innerText.length <= l.before) {
                    failures.push(`${l.where}: "Show hidden lines" does not show them`);
                }
            }
            pressable.forEach(l => l.button.click());
            for (const l of pressable) {
                if (!allHidden(l)) failures.push(`${l.where}: pressing the button again does not hide them`);
            }
            return failures;
        });
        found.push(...hiddenLines.map(f => `${chapter.html}, ${f}`));
        found.unshift(...watched.map(p => `${chapter.html}: ${p}`));
        if (found.length > 0) {
            await screenshot(page, `FAILED-page-${chapter.html}`);
            problems.push(...found);
        }
    }
    // Two views for a person to look at: the first page, and the page with
    // the most listings at its first listing.
    const busiest = PAGES.reduce((a, b) => (pageInfo.get(b.html)?.blocks.length ?? 0) > (pageInfo.get(a.html)?.blocks.length ?? 0) ? b : a);
    await open(page, PAGES[0].html);
    await screenshot(page, `desktop-${PAGES[0].html}`);
    if (busiest !== PAGES[0]) {
        await open(page, busiest.html);
        await page.locator('main pre').first().scrollIntoViewIfNeeded();
        await screenshot(page, `desktop-${busiest.html}`);
    }
    await page.close();
    report(problems, 'pages that a reader would see broken');
});

// The chapter quizzes (book/quiz.py, book/theme/quiz.js): a right answer
// says so, a wrong one says so, marks the right options and the wrong choice
// in words (not by colour alone) and explains why; "Check" with nothing
// chosen asks for an answer; checkboxes need every right answer; and the
// keyboard works. (The phone test below shows every quiz's answers, and
// checks that they fit.)

/** The page whose quiz file has a question with several right answers. */
function pageWithCheckboxes() {
    return PAGES.find(p => {
        if (quizQuestions(p.md) === 0) return false;
        const directive = read(path.join(SRC, p.md)).match(/\{\{#quiz\s+(\S+?)\s*\}\}/);
        const toml = read(path.resolve(path.dirname(path.join(SRC, p.md)), directive[1]));
        return toml.split('[[question]]').some(q => (q.match(/^\s*correct\s*=\s*true\s*$/gm) ?? []).length > 1);
    });
}

/** The verdict "Check" says: quiz.js fills the live region a moment after
 * emptying it, so that a screen reader repeats it. */
async function verdictAfterCheck(question) {
    const verdict = question.locator('.quiz-verdict');
    await verdict.filter({ hasText: /\S/ }).waitFor({ timeout: 2000 }).catch(() => {});
    return (await verdict.innerText()).trim();
}

/** Each option's mark ("✓ right answer", ...), '' where there is none. */
async function marks(question) {
    return question.locator('.quiz-option').evaluateAll(options =>
        options.map(o => o.querySelector('.quiz-mark')?.textContent.trim() ?? ''));
}

test('a quiz says right or wrong and why, in words, by keyboard too', async () => {
    const chapter = PAGES.find(p => quizQuestions(p.md) > 0);
    assert.ok(chapter, 'no page has a quiz');
    const problems = [];
    const page = await desktop.newPage();
    problems.push(...await open(page, chapter.html));
    // The first question with one right answer (radio buttons).
    const question = page.locator('section.quiz fieldset.quiz-question:has(input[type="radio"])').first();
    const verdict = question.locator('.quiz-verdict');
    const explanation = question.locator('.quiz-explanation');
    const check = question.locator('button.quiz-check');
    if (await explanation.isVisible()) problems.push('the explanation shows before any answer is checked');

    await check.click();
    const empty = await verdictAfterCheck(question);
    if (empty !== 'Choose an answer first.') problems.push(`"Check" with nothing chosen says "${empty}"`);
    if (await explanation.isVisible()) problems.push('"Check" with nothing chosen shows the explanation');

    const options = question.locator('.quiz-options input');
    const correct = await options.evaluateAll(inputs => inputs.map(i => i.dataset.correct === 'true'));
    const rightIndex = correct.indexOf(true);
    await options.nth(rightIndex).check();
    await check.click();
    const right = await verdictAfterCheck(question);
    if (!/^Right\b/.test(right)) problems.push(`a right answer says "${right}"`);
    if (!(await explanation.isVisible())) problems.push('a right answer shows no explanation');
    if (!(await question.evaluate(q => q.classList.contains('quiz-right')))) problems.push('a right answer is not marked right');
    const afterRight = await marks(question);
    if (afterRight[rightIndex] !== '✓ your answer, right' || afterRight.some((m, i) => i !== rightIndex && m !== '')) {
        problems.push(`a right answer marks the options ${JSON.stringify(afterRight)}`);
    }
    await question.scrollIntoViewIfNeeded();
    await screenshot(page, `quiz-right-${chapter.html}`);

    // By keyboard: choose a wrong option with the arrow keys, press Check with Enter.
    const count = correct.length;
    const wrong = correct.indexOf(false);
    assert.ok(wrong >= 0, `${chapter.html}: the first question has no wrong option`);
    await options.nth(rightIndex).focus();
    for (let steps = (wrong - rightIndex + count) % count; steps > 0; steps -= 1) {
        await page.keyboard.press('ArrowDown');
    }
    if (!(await options.nth(wrong).isChecked())) problems.push('the arrow keys do not choose another option');
    if ((await verdict.innerText()).trim() !== '') problems.push('choosing another answer leaves the old verdict');
    if ((await marks(question)).some(m => m !== '')) problems.push('choosing another answer leaves the old marks');
    await check.focus();
    await page.keyboard.press('Enter');
    const wrongVerdict = await verdictAfterCheck(question);
    if (wrongVerdict !== 'Wrong: the right answer is marked ✓ above.') problems.push(`a wrong answer says "${wrongVerdict}"`);
    if (!(await explanation.isVisible()) || (await explanation.innerText()).trim().length < 20) {
        problems.push('a wrong answer shows no explanation');
    }
    const why = question.locator(`.quiz-why[data-option="${wrong}"]`);
    if (await why.count() > 0 && !(await why.isVisible())) problems.push('the chosen wrong option\'s explanation is hidden');
    const afterWrong = await marks(question);
    const expected = correct.map((c, i) => c ? '✓ right answer' : i === wrong ? '✗ your answer, wrong' : '');
    if (JSON.stringify(afterWrong) !== JSON.stringify(expected)) {
        problems.push(`a wrong answer marks the options ${JSON.stringify(afterWrong)}, not ${JSON.stringify(expected)}`);
    }
    // The marks are part of each option's label: what a screen reader reads.
    const label = await options.nth(wrong).evaluate(i => i.labels[0].textContent);
    if (!label.includes('✗ your answer, wrong')) problems.push(`the wrong option's label does not say so: "${label.trim()}"`);
    await screenshot(page, `quiz-wrong-${chapter.html}`);
    await page.close();
    report(problems.map(p => `${chapter.html}: ${p}`), 'the quiz');
});

test('a quiz question with several right answers wants them all', async () => {
    const chapter = pageWithCheckboxes();
    assert.ok(chapter, 'no quiz has a question with several right answers');
    const problems = [];
    const page = await desktop.newPage();
    problems.push(...await open(page, chapter.html));
    const question = page.locator('section.quiz fieldset.quiz-question:has(input[type="checkbox"])').first();
    if (await question.count() === 0) problems.push('a question with several right answers has no checkboxes');
    const options = question.locator('.quiz-options input');
    const correct = await options.evaluateAll(inputs => inputs.map(i => i.dataset.correct === 'true'));
    const check = question.locator('button.quiz-check');

    // One right answer of several is not enough.
    const first = correct.indexOf(true);
    await options.nth(first).check();
    await check.click();
    const some = await verdictAfterCheck(question);
    if (some !== 'Wrong: the right answers are marked ✓ above.') problems.push(`one right answer of several says "${some}"`);
    const expected = correct.map((c, i) => c ? (i === first ? '✓ your answer, right' : '✓ right answer') : '');
    const shown = await marks(question);
    if (JSON.stringify(shown) !== JSON.stringify(expected)) {
        problems.push(`one right answer of several marks the options ${JSON.stringify(shown)}, not ${JSON.stringify(expected)}`);
    }

    // All of them is right.
    for (const [index, c] of correct.entries()) {
        if (c) await options.nth(index).check();
    }
    await check.click();
    const all = await verdictAfterCheck(question);
    if (!/^Right\b/.test(all)) problems.push(`every right answer says "${all}"`);
    await question.scrollIntoViewIfNeeded();
    await screenshot(page, `quiz-checkboxes-${chapter.html}`);
    await page.close();
    report(problems.map(p => `${chapter.html}: ${p}`), 'the quiz with checkboxes');
});

test('Run buttons show only where the playground can run the code, and send the whole program', async () => {
    const problems = [];
    let shown = 0;
    let first = null;
    for (const chapter of PAGES) {
        const data = await info(chapter.html);
        data.blocks.forEach((block, index) => {
            if (!block.runVisible) return;
            shown += 1;
            first ??= { chapter, index };
            const where = blockName(chapter, index);
            if (block.source.includes('feature = "paused-clock"')) {
                problems.push(`${where}: has a Run button, but the program sleeps or prints times`);
            }
            if (block.source.includes('env::args')) {
                problems.push(`${where}: has a Run button, but the program reads command-line arguments`);
            }
            for (const [, crate] of block.source.matchAll(/extern\s+crate\s+([A-Za-z0-9_]+)\s*;/g)) {
                if (!CRATES.includes(crate)) problems.push(`${where}: has a Run button, but uses ${crate}`);
            }
            if (!block.classes.includes('edition2024')) {
                const edition = block.classes.find(c => c.startsWith('edition'))?.slice(7) ?? '2015';
                problems.push(`${where}: has a Run button that sends edition ${edition}, not 2024 (book.toml's [rust] edition?)`);
            }
        });
    }
    report(problems, 'Run buttons that cannot work (see "Run buttons" in CONTRIBUTING.md)');
    assert.ok(first, 'no page shows a Run button: did the playground crate list stop loading?');
    console.log(`  ${shown} code blocks show a Run button`);

    // Press one, against the stand-in playground: it sends the whole program,
    // hidden lines included, as edition 2024, and shows what comes back.
    const page = await desktop.newPage();
    await open(page, first.chapter.html);
    const pre = page.locator('main pre:has(> code)').nth(first.index);
    await pre.hover();
    runRequests = [];
    await pre.locator('.play-button').click();
    await pre.locator('code.result').filter({ hasText: MOCK_RUN_OUTPUT }).waitFor();
    const source = await pre.locator('code').first().evaluate(c => c.textContent);
    assert.equal(runRequests.length, 1, 'pressing Run sent no request to the playground');
    assert.equal(runRequests[0].edition, '2024');
    assert.equal(runRequests[0].code, source, 'Run must send the whole program, hidden lines included');
    assert.match(runRequests[0].code, /fn main\(\)/);
    await pre.scrollIntoViewIfNeeded();
    await screenshot(page, 'run-button-result');
    await page.close();
});

test('every internal link and anchor resolves; external links are listed, not fetched', { timeout: 180_000 }, async () => {
    const problems = [];
    const external = new Map();
    const editLinks = new Set();
    const files = [...new Set([...PAGES.map(p => p.html), ...builtHtmlFiles()])];
    for (const file of files) {
        const data = await info(file);
        problems.push(...data.problems.map(p => `${file}: ${p}`));
        for (const { href, headingAnchor, edit } of data.links) {
            // mdBook's 404 page sets <base href> to the site root, so its own
            // heading anchor points at the first page; nothing a reader needs.
            if (file === '404.html' && headingAnchor) continue;
            const url = new URL(href);
            if (url.origin !== server.origin) {
                if (edit) {
                    editLinks.add(url.href); // one per page: counted, not listed
                } else {
                    if (!external.has(url.href)) external.set(url.href, new Set());
                    external.get(url.href).add(file);
                }
                continue;
            }
            const target = fileFor(BOOK, PREFIX, decodeURI(url.pathname));
            const label = `${file}: link to ${url.pathname.slice(PREFIX.length)}${url.hash}`;
            if (!target) {
                problems.push(`${label}: no such file in the build`);
                continue;
            }
            const id = decodeURIComponent(url.hash.slice(1));
            if (id === '') continue;
            if (!target.endsWith('.html')) {
                problems.push(`${label}: an anchor into a file that is not a page`);
            } else if (!(await info(path.relative(BOOK, target))).ids.includes(id)) {
                problems.push(`${label}: the page has no element with id "${id}"`);
            }
        }
    }
    const list = [...external].sort(([a], [b]) => a.localeCompare(b))
        .map(([href, pages]) => `    ${href}  (${pages.size} page${pages.size > 1 ? 's' : ''})`);
    console.log(`  ${files.length} pages checked; external links (not fetched: the tests run offline):\n${list.join('\n')}`
        + `\n    and ${editLinks.size} "Suggest an edit" links, one per page`);
    report([...new Set(problems)], 'broken links');
});

/** The search term for a chapter: from search-terms.json, or else the
 * identifier in the page's prose that the fewest other pages mention. */
function searchTerm(chapter, texts) {
    if (SEARCH_TERMS[chapter.md]) return { term: SEARCH_TERMS[chapter.md], derived: false };
    const others = PAGES.filter(p => p !== chapter).map(p => texts.get(p.html) ?? '');
    const candidates = [...new Set(pageInfo.get(chapter.html).inlineCode)]
        .filter(code => /^[A-Za-z_][A-Za-z0-9_]{3,}!?$/.test(code))
        .map(code => ({ code, spread: others.filter(text => text.includes(code)).length }))
        .sort((a, b) => a.spread - b.spread);
    return { term: candidates[0]?.code ?? chapter.title, derived: true };
}

test('search finds every chapter by a term from it', { timeout: 120_000 }, async () => {
    const texts = new Map();
    for (const chapter of PAGES) texts.set(chapter.html, (await info(chapter.html)).text);
    const page = await desktop.newPage();
    const problems = await open(page, PAGES[0].html);
    await page.keyboard.press('s');
    const bar = page.locator('#mdbook-searchbar');
    await bar.waitFor();
    // The index loads when search opens; then the spinner stops.
    const loaded = await page.waitForFunction(() => !document.getElementById('mdbook-searchbar-outer').classList.contains('searching'))
        .then(() => true, () => false);
    if (!loaded) {
        await screenshot(page, 'FAILED-search-index');
        report([...problems, 'the search index never finished loading'], 'search');
    }
    const used = [];
    for (const chapter of PAGES) {
        const { term, derived } = searchTerm(chapter, texts);
        used.push(`${chapter.md}: ${term}${derived ? ' (derived)' : ''}`);
        // Typing runs the search on each key's release: fill, then one key.
        await bar.fill(term);
        await bar.press('End');
        const results = page.locator('#mdbook-searchresults li a');
        await results.first().waitFor({ timeout: 5_000 }).catch(() => {});
        const found = await results.evaluateAll(links => links.map(a => new URL(a.href).pathname));
        if (!found.some(p => p.endsWith('/' + chapter.html))) {
            problems.push(`searching "${term}" does not find ${chapter.html} (found: ${[...new Set(found)].join(', ') || 'nothing'})`);
            await screenshot(page, `FAILED-search-${chapter.html}`);
        }
        if (term === 'JoinSet') await screenshot(page, 'search-JoinSet');
    }
    console.log(`  search terms: ${used.join('; ')}`);
    await page.close();
    report(problems, 'search');
});

test('the theme switch changes and remembers the theme', async () => {
    const page = await desktop.newPage();
    const problems = await open(page, PAGES[0].html);
    const backgrounds = new Map();
    for (const theme of ['light', 'rust', 'coal', 'navy', 'ayu']) {
        // Choosing a theme leaves the list open; the toggle opens or closes it.
        if (!(await page.locator('#mdbook-theme-list').isVisible())) {
            await page.locator('#mdbook-theme-toggle').click();
        }
        await page.locator(`#mdbook-theme-${theme}`).click();
        const state = await page.evaluate(() => ({
            classes: [...document.documentElement.classList],
            background: getComputedStyle(document.documentElement).backgroundColor,
            saved: localStorage.getItem('mdbook-theme'),
        }));
        if (!state.classes.includes(theme)) problems.push(`choosing ${theme} leaves <html class="${state.classes.join(' ')}">`);
        if (state.saved !== theme) problems.push(`choosing ${theme} saves "${state.saved}"`);
        backgrounds.set(theme, state.background);
        if (theme === 'navy') await screenshot(page, 'theme-navy');
    }
    if (new Set(backgrounds.values()).size !== backgrounds.size) {
        problems.push(`themes share a background colour: ${JSON.stringify(Object.fromEntries(backgrounds))}`);
    }
    await page.reload();
    const kept = await page.evaluate(() => document.documentElement.classList.contains('ayu'));
    if (!kept) problems.push('the chosen theme (ayu) is lost on reload');
    await page.evaluate(() => localStorage.removeItem('mdbook-theme'));
    await page.close();
    report(problems, 'theme switch');
});

test('the copy button copies what the listing shows', async () => {
    let chapter;
    let index = -1;
    for (const candidate of PAGES) {
        index = (await info(candidate.html)).blocks.findIndex(b => b.hiddenLines > 0);
        if (index >= 0) {
            chapter = candidate;
            break;
        }
    }
    assert.ok(chapter, 'no code block with hidden lines in the book');
    const page = await desktop.newPage();
    const problems = await open(page, chapter.html);
    const pre = page.locator('main pre:has(> code)').nth(index);
    const code = pre.locator('code').first();
    const copy = async () => {
        await page.evaluate(() => navigator.clipboard.writeText(''));
        await pre.hover();
        await pre.locator('.clip-button').click();
        await pre.locator('.clip-button .tooltiptext').filter({ hasText: 'Copied!' }).waitFor();
        return page.evaluate(() => navigator.clipboard.readText());
    };
    const shown = await code.innerText();
    const copied = await copy();
    if (copied !== shown) problems.push(`copied text differs from the listing:\n${copied}\n--- shown ---\n${shown}`);
    const hiddenLine = (await code.locator('.boring').first().textContent()).trim();
    if (hiddenLine && copied.includes(hiddenLine)) problems.push(`copied a hidden line: ${hiddenLine}`);

    // Show the hidden lines with a real click; now they are copied too.
    await pre.hover();
    await pre.locator('button[title="Show hidden lines"]').click();
    await pre.locator('button[title="Hide lines"]').waitFor();
    await pre.scrollIntoViewIfNeeded();
    await screenshot(page, `hidden-lines-shown-${chapter.html}`);
    const all = await copy();
    if (all !== (await code.innerText()) || (hiddenLine && !all.includes(hiddenLine))) {
        problems.push(`with hidden lines shown, the copy lacks them (first hidden line: ${hiddenLine})`);
    }
    await page.close();
    report(problems.map(p => `${blockName(chapter, index)}: ${p}`), 'copy button');
});

// A proof mark (book/proofs.py) links a claim to the lines of the test that
// proves it. On a phone it must sit on the screen and be big enough to tap,
// and every link must land on the test its tooltip names.
const PROOF_SOURCE = 'https://github.com/async-rust-for-asyncio/book/blob/main/';

async function proofMarkProblems(page, chapter) {
    const problems = [];
    const found = await page.evaluate(() => [...document.querySelectorAll('main a.proof')].map(a => {
        const box = a.getBoundingClientRect();
        // A mark in a wide table is reached by scrolling the table sideways.
        let inScroller = false;
        for (let e = a.parentElement; e && e !== document.body; e = e.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) inScroller = true;
        }
        return { href: a.href, title: a.title, text: a.textContent, left: box.left, right: box.right, width: box.width, height: box.height, inScroller };
    }));
    for (const mark of found) {
        const where = `${chapter.html}: proof mark "${mark.title}"`;
        const link = mark.href.startsWith(PROOF_SOURCE) && mark.href.slice(PROOF_SOURCE.length).match(/^([^#]+)#L(\d+)-L(\d+)$/);
        const test = mark.title.match(/^Checked by the test (\w+) in (\S+)$/);
        if (!link || !test || link[1] !== test[2]) {
            problems.push(`${where}: links to ${mark.href}`);
            continue;
        }
        const lines = read(fromRoot(link[1])).split('\n').slice(Number(link[2]) - 1, Number(link[3]));
        if (!lines.some(l => new RegExp(`\\bfn ${test[1]}\\b`).test(l))
            || !lines.some(l => /#\[(test|tokio::test|should_panic)/.test(l))) {
            problems.push(`${where}: lines ${link[2]}-${link[3]} of ${link[1]} are not that test`);
        }
        if (mark.text !== '✓') problems.push(`${where}: shows "${mark.text}"`);
        if (!mark.inScroller && (mark.left < 0 || mark.right > PHONE.width)) problems.push(`${where}: off the screen`);
        if (mark.width < 8 || mark.height < 8) problems.push(`${where}: ${mark.width}x${mark.height}px, too small to tap`);
    }
    return { count: found.length, problems };
}

test('on a phone, pages fit the screen, code scrolls inside its block, and proof marks can be tapped', { timeout: 180_000 }, async () => {
    const phone = await newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    const problems = [];
    let widest = null;
    let marks = 0;
    let proofShot = false;
    let quizShot = false;
    for (const chapter of PAGES) {
        const watched = await open(page, chapter.html);
        const found = [];
        const layout = await page.evaluate(() => {
            const width = window.innerWidth;
            // Show every quiz answer and explanation, as "Check" does, so that
            // they are measured too, proof marks included.
            for (const e of document.querySelectorAll('section.quiz .quiz-answer, section.quiz .quiz-why')) e.hidden = false;
            // Everything in <main> must lie on the screen, or inside a box
            // that scrolls sideways (a listing, a table's wrapper): the book's
            // CSS clips anything else, and the reader never sees it.
            const out = [];
            const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
            const visit = element => {
                for (const child of element.children) {
                    const box = child.getBoundingClientRect();
                    if (box.width > 0 && (box.left < -0.5 || box.right > width + 0.5)) {
                        const text = child.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
                        out.push(`<${child.tagName.toLowerCase()}> "${text}" spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
                    } else if (!scrolls(child)) {
                        visit(child);
                    }
                }
            };
            const main = document.querySelector('main');
            if (main) visit(main);
            const codeWidths = [...document.querySelectorAll('main pre > code')].map(c => c.scrollWidth);
            return {
                width,
                pageWidth: document.documentElement.scrollWidth,
                out,
                widestCode: Math.max(0, ...codeWidths),
                firstCode: (() => {
                    // The first listing on screen: a twin's other tab is hidden.
                    const pre = [...document.querySelectorAll('main pre')]
                        .find(p => p.getClientRects().length > 0);
                    if (!pre) return null;
                    const box = pre.getBoundingClientRect();
                    return { width: box.width, height: box.height };
                })(),
            };
        });
        if (layout.pageWidth > layout.width) {
            found.push(`${chapter.html}: the page is ${layout.pageWidth}px wide on a ${layout.width}px screen (it scrolls sideways)`);
        }
        found.push(...layout.out.map(o => `${chapter.html}: ${o}, outside the ${layout.width}px screen`));
        if (layout.firstCode && (layout.firstCode.width < layout.width / 2 || layout.firstCode.height < 10)) {
            found.push(`${chapter.html}: the first code block is ${Math.round(layout.firstCode.width)}x${Math.round(layout.firstCode.height)}px`);
        }
        found.unshift(...watched.map(p => `${chapter.html}: ${p}`));
        const proofs = await proofMarkProblems(page, chapter);
        marks += proofs.count;
        found.push(...proofs.problems);
        if (proofs.count > 0 && !proofShot) {
            await page.evaluate(() => document.querySelector('main a.proof').scrollIntoView({ block: 'center' }));
            await screenshot(page, `phone-proof-mark-${chapter.html}`);
            proofShot = true;
        }
        if (!widest || layout.widestCode > widest.code) widest = { chapter, code: layout.widestCode };
        if (chapter === PAGES[0]) await screenshot(page, `phone-${chapter.html}`);
        if (!quizShot && quizQuestions(chapter.md) > 0) {
            await page.locator('section.quiz').first().scrollIntoViewIfNeeded();
            await screenshot(page, `phone-quiz-${chapter.html}`);
            quizShot = true;
        }
        if (found.length > 0) {
            await screenshot(page, `FAILED-phone-${chapter.html}`);
            problems.push(...found);
        }
    }
    // The page with the widest listing, scrolled to it.
    if (widest) {
        await open(page, widest.chapter.html);
        await page.evaluate(() => {
            const codes = [...document.querySelectorAll('main pre > code')];
            codes.sort((a, b) => b.scrollWidth - a.scrollWidth)[0]?.scrollIntoView();
        });
        await screenshot(page, `phone-widest-code-${widest.chapter.html}`);
    }
    await phone.close();
    assert.ok(marks > 0, 'no proof marks in the built book: book/proofs.py did not run');
    console.log(`  ${marks} proof marks checked`);
    report(problems, 'pages that do not fit a phone, or proof marks that do not work');
});
