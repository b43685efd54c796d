// The frame lab's optional enhancements: the page works without them (the server encodes,
// decodes and picks a random masking key when the field is left empty).
// - "Random key" fills the masking key field with 4 bytes from the browser's CSPRNG.
// - The masking key field is enabled only while "Mask the payload" is ticked.

const keyField = document.getElementById("id_masking_key");
const maskBox = document.getElementById("id_mask");
const randomButton = document.getElementById("random-key");

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function followMask() {
  keyField.disabled = !maskBox.checked;
  randomButton.disabled = !maskBox.checked;
}

if (keyField && maskBox && randomButton) {
  randomButton.hidden = false;
  randomButton.addEventListener("click", () => {
    keyField.value = randomKey();
    keyField.focus();
  });
  maskBox.addEventListener("change", followMask);
  followMask();
}
