// Protocol finder. Without this module the page is a plain GET form, and it stays the
// source of truth: this only moves focus to errors and, on a fresh form, shows one
// question at a time by hiding the other fieldsets.

const form = document.querySelector("[data-finder-form]");
const summary = document.querySelector("[data-error-summary]");

if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    input.closest("fieldset").scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
}

if (form && form.hasAttribute("data-one-at-a-time")) {
  oneAtATime(form);
}

function makeButton(text, className) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = text;
  return button;
}

function oneAtATime(form) {
  const steps = [...form.querySelectorAll("[data-question]")];
  const submit = form.querySelector("[data-submit]");
  const actions = submit.parentElement;
  const back = makeButton("Back", "button");
  const next = makeButton("Next question", "button button--primary");
  const showAll = makeButton("Show all questions", "finder-form__show-all");
  // The progress bar, labelled with the question on screen: "Question 3 of 12".
  const progress = document.createElement("div");
  progress.className = "finder-form__progress";
  const label = document.createElement("label");
  label.className = "finder-form__progress-label";
  label.htmlFor = "finder-progress";
  const bar = document.createElement("progress");
  bar.className = "finder-form__bar";
  bar.id = "finder-progress";
  bar.max = steps.length;
  progress.append(label, bar);
  let current = 0;
  let stepping = true;

  form.prepend(progress);
  actions.prepend(back, next);
  actions.append(showAll);
  form.classList.add("finder-form--stepping");

  const isAnswered = (step) =>
    step.dataset.required !== "true" || step.querySelector("input:checked") !== null;
  const stepError = (step) => step.querySelector("[data-step-error]");
  // Focus the answer (or the first one) with the whole question, legend included, in view.
  const focusInput = (step) => {
    (step.querySelector("input:checked") || step.querySelector("input")).focus({
      preventScroll: true,
    });
    step.scrollIntoView({ block: "nearest" });
  };

  function show(index, moveFocus) {
    current = index;
    steps.forEach((step, i) => {
      step.hidden = i !== index;
    });
    bar.value = index + 1;
    label.textContent = `Question ${index + 1} of ${steps.length}`;
    back.hidden = index === 0;
    next.hidden = index === steps.length - 1;
    submit.hidden = index !== steps.length - 1;
    if (moveFocus) focusInput(steps[index]);
  }

  function clearError(step) {
    const error = stepError(step);
    error.hidden = true;
    error.textContent = "";
    step.classList.remove("question--error");
  }

  function advance() {
    const step = steps[current];
    if (!isAnswered(step)) {
      const error = stepError(step);
      error.textContent =
        step.dataset.multiple === "true"
          ? "Tick at least one answer to go on."
          : "Choose an answer to go on.";
      error.hidden = false;
      const describedBy = step.getAttribute("aria-describedby").split(" ");
      if (!describedBy.includes(error.id)) {
        step.setAttribute("aria-describedby", [...describedBy, error.id].join(" "));
      }
      step.classList.add("question--error");
      focusInput(step);
      return;
    }
    clearError(step);
    show(current + 1, true);
  }

  next.addEventListener("click", advance);
  back.addEventListener("click", () => show(current - 1, true));
  form.addEventListener("change", (event) => {
    const step = event.target.closest("[data-question]");
    if (step && isAnswered(step)) clearError(step);
  });
  // Enter on an answer submits the form implicitly; before the last question it means "next".
  form.addEventListener("submit", (event) => {
    if (stepping && current < steps.length - 1) {
      event.preventDefault();
      advance();
    }
  });
  showAll.addEventListener("click", () => {
    stepping = false;
    steps.forEach((step) => {
      step.hidden = false;
    });
    [progress, back, next, showAll].forEach((element) => element.remove());
    submit.hidden = false;
    form.classList.remove("finder-form--stepping");
    focusInput(steps[current]);
  });

  show(0, false);
}
