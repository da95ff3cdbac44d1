/* quart-flash channels: subscribe to the channels the page names, apply pushed props.
 *
 * Served by each FlashBlueprint at <prefix>_flash/channels.js and loaded after
 * dash-renderer.  No build step: plain browser JavaScript.
 *
 * - Subscriptions follow the page: every element with class
 *   "quart-flash-channel" and a data-channel attribute (quart_flash.Channel)
 *   names a channel; a MutationObserver resends the set when it changes
 *   (page navigation, layout functions).
 * - Pushed props are applied with dash_clientside.set_props, so callbacks that
 *   depend on them fire as if the user had changed them.
 * - The connection reconnects with back-off (capped at 5 s) and resubscribes;
 *   nothing is shown while it does.  A channel the server refuses (close code
 *   4003 "subscription refused: <name>") is dropped for the life of the page.
 * - window.quartFlash.subscribed() is the set the server has confirmed (its
 *   "subscribed" answer): every publish from then on reaches this page.
 */
(function () {
    "use strict";
    var script = document.currentScript;
    var url = script.getAttribute("data-url");
    var cookieName = script.getAttribute("data-session-cookie");
    var MARKER = "quart-flash-channel";
    var socket = null;
    var backoff = 250;
    var refused = {};
    var sent = null;
    var confirmed = [];

    function ensureSession() {
        var match = document.cookie.match(new RegExp("(?:^|; )" + cookieName + "=([^;]*)"));
        if (match) { return match[1]; }
        var id = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID()
            : String(Math.random()).slice(2) + String(Date.now());
        document.cookie = cookieName + "=" + id + "; path=/; SameSite=Lax";
        return id;
    }

    function wantedChannels() {
        var names = {};
        var nodes = document.getElementsByClassName(MARKER);
        for (var i = 0; i < nodes.length; i++) {
            var name = nodes[i].getAttribute("data-channel");
            if (name && !refused[name]) { names[name] = true; }
        }
        return Object.keys(names).sort();
    }

    function sendSubscriptions() {
        if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
        var channels = wantedChannels();
        var key = JSON.stringify(channels);
        if (key === sent) { return; }
        sent = key;
        socket.send(JSON.stringify({type: "subscribe", channels: channels}));
    }

    function componentId(id) {
        return id.charAt(0) === "{" ? JSON.parse(id) : id;
    }

    function apply(message) {
        if (message.type === "subscribed") {
            confirmed = message.channels;
            return;
        }
        var clientside = window.dash_clientside;
        if (message.type !== "props" || !clientside || !clientside.set_props) { return; }
        message.updates.forEach(function (update) {
            try {
                clientside.set_props(componentId(update.id), update.props);
            } catch (err) {
                console.warn("quart-flash: could not set props of", update.id, err);
            }
        });
    }

    function connect() {
        ensureSession();
        var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
        socket = new WebSocket(scheme + window.location.host + url);
        sent = null;
        confirmed = [];
        socket.onopen = function () {
            backoff = 250;
            sendSubscriptions();
        };
        socket.onmessage = function (event) { apply(JSON.parse(event.data)); };
        socket.onclose = function (event) {
            var refusal = /^subscription refused: (.*)$/.exec(event.reason || "");
            if (event.code === 4003 && refusal) { refused[refusal[1]] = true; }
            socket = null;
            confirmed = [];
            setTimeout(connect, backoff);
            backoff = Math.min(backoff * 2, 5000);
        };
    }

    new MutationObserver(sendSubscriptions).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["data-channel"]
    });
    window.quartFlash = {
        session: ensureSession,
        channels: wantedChannels,
        subscribed: function () { return confirmed.slice(); }
    };
    connect();
})();
