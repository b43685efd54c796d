// Copy buttons for code snippets: each `.snippet__copy` copies the code of its `.snippet`
// and says in the snippet's status line whether the browser allowed it.
export function wireCopyButtons(root = document) {
  for (const button of root.querySelectorAll(".snippet__copy")) {
    button.addEventListener("click", async () => {
      const snippet = button.closest(".snippet");
      const status = snippet.querySelector(".snippet__status");
      try {
        await navigator.clipboard.writeText(snippet.querySelector("code").textContent);
        status.textContent = "Copied.";
      } catch {
        status.textContent = "Copying was not allowed: select the code and copy it yourself.";
      }
    });
  }
}
