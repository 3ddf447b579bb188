// Filter the provider catalog table as you type; without JS every row stays visible.
(function () {
  var box = document.querySelector("input[data-filter]");
  if (!box) return;
  var table = document.querySelector(box.getAttribute("data-filter"));
  var empty = document.getElementById("catalog-empty");
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0;
    table.querySelectorAll("tbody").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("tr[data-search]").forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) visible++;
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    if (empty) empty.hidden = shown !== 0;
  });
})();
