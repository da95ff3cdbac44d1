"""quart_flash.testing's own helpers, which every browser test relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from quart_flash.testing import FlashBrowser


@pytest.mark.browser
def test_a_browser_block_quits_chromium_and_deletes_its_profile_on_error():
    with pytest.raises(RuntimeError, match="inside the block"), FlashBrowser() as browser:
        profile = Path(browser.driver.capabilities["chrome"]["userDataDir"])
        driver_process = browser.driver.service.process
        assert profile.is_dir()
        raise RuntimeError("inside the block")
    assert driver_process.poll() is not None, "chromedriver is still running"
    assert not profile.exists()


@pytest.mark.browser
def test_a_timed_out_wait_says_what_the_page_shows_at_the_end():
    page = (
        "data:text/html,<p id='note'>at first</p>"
        "<script>setTimeout(function () {"
        " document.getElementById('note').textContent = 'later'; }, 200)</script>"
    )
    with FlashBrowser() as browser:
        for wait in (browser.wait_for_text_to_equal, browser.wait_for_contains_text):
            browser.driver.get(page)
            with pytest.raises(AssertionError, match=r"\(it reads 'later'\)"):
                wait("#note", "never", 1.0)
