// The external lists' load form (/console/risk/lists): the chosen kind names the form's target, and a chosen file
// is read into the text box (its format taken from the file's name), so the page posts the file as text: the
// server checks it all or nothing and shows every problem. Without scripts the text can still be pasted.
(function () {
  "use strict";
  var form = document.getElementById("load-form");
  if (!form) { return; }
  var kind = document.getElementById("load-kind");
  var format = document.getElementById("load-format");
  var file = document.getElementById("load-file");
  var text = document.getElementById("load-document");
  kind.addEventListener("change", function () {
    form.setAttribute("action", form.getAttribute("data-base") + kind.value);
  });
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (!chosen) { return; }
    if (/\.csv$/i.test(chosen.name)) { format.value = "csv"; }
    if (/\.json$/i.test(chosen.name)) { format.value = "json"; }
    var reader = new FileReader();
    reader.onload = function () { text.value = String(reader.result); };
    reader.readAsText(chosen, "utf-8");
  });
}());
