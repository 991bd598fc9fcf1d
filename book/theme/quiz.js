// The chapter quizzes (book/quiz.py writes their HTML): pressing "Check"
// says whether the chosen answer is right or wrong, marks the right options
// and a wrong choice in words (not by colour alone: the words are part of
// each option's label, so a screen reader reads them too), and shows why.
// Radio buttons, checkboxes and the button are plain form controls, so the
// keyboard works as everywhere else.
(function () {
    "use strict";
    for (const question of document.querySelectorAll("section.quiz fieldset.quiz-question")) {
        const inputs = Array.from(question.querySelectorAll(".quiz-options input"));
        const button = question.querySelector("button.quiz-check");
        const verdict = question.querySelector(".quiz-verdict");
        const answer = question.querySelector(".quiz-answer");
        if (!button || !verdict || !answer) {
            continue;
        }

        const several = inputs.filter((input) => input.dataset.correct === "true").length > 1;
        let pending = 0; // the timer that will say the next verdict

        function reset() {
            window.clearTimeout(pending);
            question.classList.remove("quiz-right", "quiz-wrong");
            verdict.textContent = "";
            answer.hidden = true;
            for (const input of inputs) {
                const option = input.closest(".quiz-option");
                option.classList.remove("quiz-is-correct", "quiz-is-chosen");
                for (const mark of option.querySelectorAll(".quiz-mark")) {
                    mark.remove();
                }
            }
        }

        // The verdict is a live region: it is emptied first and filled a
        // moment later, so that a screen reader says it again even when it
        // is the same words as before.
        function say(words) {
            pending = window.setTimeout(() => {
                verdict.textContent = words;
            }, 100);
        }

        function mark(option, words) {
            const span = document.createElement("span");
            span.className = "quiz-mark";
            span.textContent = words;
            option.append(span);
        }

        button.addEventListener("click", () => {
            reset();
            const chosen = inputs.filter((input) => input.checked);
            if (chosen.length === 0) {
                say("Choose an answer first.");
                return;
            }
            const right = inputs.every((input) => input.checked === (input.dataset.correct === "true"));
            question.classList.add(right ? "quiz-right" : "quiz-wrong");
            for (const input of inputs) {
                const option = input.closest(".quiz-option");
                const correct = input.dataset.correct === "true";
                option.classList.toggle("quiz-is-correct", correct);
                option.classList.toggle("quiz-is-chosen", input.checked);
                if (correct) {
                    mark(option, input.checked ? "✓ your answer, right" : "✓ right answer");
                } else if (input.checked) {
                    mark(option, "✗ your answer, wrong");
                }
            }
            say(right
                ? "Right."
                : several
                    ? "Wrong: the right answers are marked ✓ above."
                    : "Wrong: the right answer is marked ✓ above.");
            for (const why of answer.querySelectorAll(".quiz-why")) {
                const input = inputs[Number(why.dataset.option)];
                why.hidden = !(input && (input.checked || input.dataset.correct === "true"));
            }
            answer.hidden = false;
        });

        for (const input of inputs) {
            input.addEventListener("change", reset);
        }
    }
})();
