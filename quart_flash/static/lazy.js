/* quart-flash LazyLoad: render a block's content when it scrolls into view.
 *
 * Served by each FlashBlueprint at <prefix>_flash/lazy.js, after dash-renderer.
 * No build step: plain browser JavaScript.
 *
 * Every element with class "quart-flash-lazy" (quart_flash.LazyLoad) is
 * watched by an IntersectionObserver whose root margin is its data-offset.
 * When it comes into view:
 *   - data-content (static children, as Dash JSON) goes into its body
 *     component with dash_clientside.set_props;
 *   - data-loader bumps its hidden dcc.Store, which fires the app's loader
 *     callback on the server.
 * data-once="true" stops watching after the first time. A MutationObserver
 * picks up blocks that appear later (page navigation, callbacks).
 */
(function () {
    "use strict";
    var MARKER = "quart-flash-lazy";
    var observers = {};  // one IntersectionObserver per offset
    var counts = {};     // loads per block, for loader-backed blocks

    function reveal(element) {
        var clientside = window.dash_clientside;
        if (!clientside || !clientside.set_props) { return false; }
        var key = element.id;
        if (element.hasAttribute("data-content")) {
            clientside.set_props(
                {type: "quart-flash-lazy-body", key: key},
                {children: JSON.parse(element.getAttribute("data-content"))}
            );
        } else {
            counts[key] = (counts[key] || 0) + 1;
            clientside.set_props({type: "quart-flash-lazy-seen", key: key}, {data: counts[key]});
        }
        return true;
    }

    function observerFor(offset) {
        if (!observers[offset]) {
            observers[offset] = new IntersectionObserver(function (entries, observer) {
                entries.forEach(function (entry) {
                    if (!entry.isIntersecting) { return; }
                    var element = entry.target;
                    if (reveal(element) && element.getAttribute("data-once") !== "false") {
                        observer.unobserve(element);
                    }
                });
            }, {rootMargin: offset});
        }
        return observers[offset];
    }

    function scan() {
        var nodes = document.getElementsByClassName(MARKER);
        for (var i = 0; i < nodes.length; i++) {
            var element = nodes[i];
            if (element.__quartFlashLazy) { continue; }
            element.__quartFlashLazy = true;
            observerFor(element.getAttribute("data-offset") || "0px").observe(element);
        }
    }

    function start() {
        scan();
        new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
