// The chapter quizzes (book/quiz.py writes their HTML): pressing "Check"
// says whether the chosen answer is right or wrong, marks the right one, and
// shows why. Radio buttons, checkboxes and the button are plain form
// controls, so the keyboard works as everywhere else.
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

        function reset() {
            question.classList.remove("quiz-right", "quiz-wrong");
            verdict.textContent = "";
            answer.hidden = true;
            for (const input of inputs) {
                input.closest(".quiz-option").classList.remove("quiz-is-correct", "quiz-is-chosen");
            }
        }

        button.addEventListener("click", () => {
            reset();
            const chosen = inputs.filter((input) => input.checked);
            if (chosen.length === 0) {
                verdict.textContent = "Choose an answer first.";
                return;
            }
            const right = inputs.every((input) => input.checked === (input.dataset.correct === "true"));
            question.classList.add(right ? "quiz-right" : "quiz-wrong");
            verdict.textContent = right
                ? "Right."
                : "Wrong: the right answer is marked below.";
            for (const input of inputs) {
                const option = input.closest(".quiz-option");
                option.classList.toggle("quiz-is-correct", input.dataset.correct === "true");
                option.classList.toggle("quiz-is-chosen", input.checked);
            }
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
