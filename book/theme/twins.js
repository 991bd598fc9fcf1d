// Turns each <div class="twins"> into tabs, one per <div class="twin"
// data-lang="...">, so that a Python twin and its Rust code share one place
// on the page (see twins.css). Choosing a language shows it in every group,
// and the choice is remembered across pages. Rust is the default.
(function () {
    "use strict";
    const KEY = "twins-language";
    const groups = Array.from(document.querySelectorAll("div.twins"));
    if (groups.length === 0) {
        return;
    }

    function panes(group) {
        return Array.from(group.children).filter((child) => child.classList.contains("twin"));
    }

    function show(language) {
        for (const group of groups) {
            const all = panes(group);
            const chosen = all.find((pane) => pane.dataset.lang === language) || all[0];
            for (const pane of all) {
                pane.hidden = pane !== chosen;
                pane.tab.setAttribute("aria-selected", String(pane === chosen));
            }
        }
    }

    function choose(language, clicked) {
        // Keep the group that was clicked where it is on the screen, while
        // the groups above it change height.
        const before = clicked.getBoundingClientRect().top;
        show(language);
        window.scrollBy(0, clicked.getBoundingClientRect().top - before);
        try {
            localStorage.setItem(KEY, language);
        } catch (e) {
            // Storage may be off; the choice then lasts for this page.
        }
    }

    for (const group of groups) {
        const bar = document.createElement("div");
        bar.className = "twins-tabs";
        bar.setAttribute("role", "tablist");
        for (const pane of panes(group)) {
            const tab = document.createElement("button");
            tab.type = "button";
            tab.textContent = pane.dataset.lang;
            tab.setAttribute("role", "tab");
            tab.addEventListener("click", () => choose(pane.dataset.lang, group));
            pane.setAttribute("role", "tabpanel");
            pane.tab = tab;
            bar.append(tab);
        }
        group.prepend(bar);
        group.classList.add("tabbed");
    }

    let saved = null;
    try {
        saved = localStorage.getItem(KEY);
    } catch (e) {
        // No storage: start with Rust.
    }
    show(saved || "Rust");
})();
