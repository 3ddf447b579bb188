// Usage → Requests: a row's "Details" link loads the request's detail (htmx) into the drawer,
// a modal <dialog>. Focus moves into the drawer and back to the link when it closes (the Close
// button, Escape, or a click on the backdrop). Without JS the link opens the detail as a page.
(function () {
  var drawer = document.getElementById("request-drawer");
  if (!drawer || typeof drawer.showModal !== "function") return;
  var body = document.getElementById("request-drawer-body");
  var opener = null;

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-detail]");
    if (link) opener = link;
  });

  // an unknown request answers 404 with a "not found" fragment: show it in the drawer too
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target === body && event.detail.xhr.status === 404) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== body) return;
    if (!drawer.open) drawer.showModal();
    drawer.querySelector("[data-close-drawer]").focus();
    body.scrollTop = 0;
  });

  drawer.querySelector("[data-close-drawer]").addEventListener("click", function () {
    drawer.close();
  });

  drawer.addEventListener("click", function (event) {
    if (event.target === drawer) drawer.close(); // the backdrop
  });

  drawer.addEventListener("close", function () {
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  });
})();
