// Copy buttons: a button with data-copy="ID" copies the text of the element ID and says
// so in the status element beside it. Without JavaScript the buttons stay hidden and the
// text stays selectable as before.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var state = button.parentNode.querySelector(".copy-state");
        if (state) state.textContent = button.dataset.copied;
      });
    });
  });
})();
