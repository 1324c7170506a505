// Upload CEB messages one file at a time and show each result as the server renders it.
(function () {
  var zone = document.getElementById("dropzone");
  if (!zone) return;
  var input = document.getElementById("files");
  var list = document.getElementById("uploads");
  var bar = document.getElementById("upload-bar");
  var tally = document.getElementById("upload-tally");
  var queue = [], busy = false, done = 0, total = 0;

  function item(file) {
    var li = document.createElement("li");
    li.className = "pending";
    li.innerHTML = '<div class="head"><span class="name"></span><span class="badge muted"></span></div>';
    li.querySelector(".name").textContent = file.name;
    li.querySelector(".badge").textContent = zone.dataset.queued;
    list.insertBefore(li, list.firstChild);
    return li;
  }

  function progress() {
    bar.style.width = (total ? Math.round((100 * done) / total) : 0) + "%";
    tally.textContent = zone.dataset.tally.replace("{done}", done).replace("{total}", total);
  }

  function next() {
    if (busy || !queue.length) return;
    busy = true;
    var job = queue.shift();
    job.li.querySelector(".badge").textContent = zone.dataset.sending;
    fetch(zone.dataset.url, {
      method: "POST",
      body: job.file,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/octet-stream",
        "X-File-Name": encodeURIComponent(job.file.name),
        "X-CSRF-Token": zone.dataset.csrf || ""
      }
    })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        return r.text().then(function (text) { return { ok: r.ok, json: json, text: text }; });
      })
      .then(function (res) {
        if (!res.json) { job.li.outerHTML = res.text; return; }
        // A refusal before the page ran (413 too large, 429, 503): show its message in the item.
        var message = zone.dataset.failed;
        try { message = JSON.parse(res.text).message || message; } catch (e) { /* keep the generic text */ }
        job.li.className = "failed";
        job.li.querySelector(".badge").textContent = message;
      })
      .catch(function () {
        job.li.className = "failed";
        job.li.querySelector(".badge").textContent = zone.dataset.failed;
      })
      .then(function () { busy = false; done += 1; progress(); next(); });
  }

  function add(files) {
    for (var i = 0; i < files.length; i++) {
      queue.push({ file: files[i], li: item(files[i]) });
      total += 1;
    }
    progress();
    next();
  }

  zone.addEventListener("click", function () { input.click(); });
  zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (n) {
    zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (n) {
    zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { add(e.dataTransfer.files); });
})();
