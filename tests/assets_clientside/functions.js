window.dash_clientside = Object.assign({}, window.dash_clientside, {
    shout: {
        upper: function (value) { return (value || "").toUpperCase(); }
    }
});
