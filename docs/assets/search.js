// Archive search page: Pagefind UI, with the query taken from and written back to `?q=`.
(function () {
  var root = document.getElementById("archive-search");
  if (!root || typeof PagefindUI === "undefined") return;
  var arabic = root.getAttribute("lang") === "ar";
  // The further bundles of a large archive (see overrides/search.html), searched as one index.
  var bundles = (root.getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  var ui = new PagefindUI({
    element: "#archive-search",
    // As site paths (/en/pagefind-2/): Pagefind takes a result's base URL from the bundle's path, and
    // from a relative one (../pagefind-2/) would link /../archive/... (the other language's page).
    mergeIndex: bundles.map(function (path) { return { bundlePath: new URL(path, window.location.href).pathname }; }),
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    // Each result shows its title, highlighted excerpt, and the page's date and publisher meta.
    translations: arabic ? { placeholder: "ابحث في الأرشيف" } : { placeholder: "Search the archive" },
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
  root.addEventListener("input", function (event) {
    if (!event.target || event.target.tagName !== "INPUT") return;
    var url = new URL(window.location.href);
    if (event.target.value) url.searchParams.set("q", event.target.value);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
  });
})();
