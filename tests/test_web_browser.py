"""The web UI in a real browser: Debian's Chromium, driven by Playwright for Python (no browser download).

Open the list, filter, open an incident, follow a source link, see the highlighted span, check that no
injected script ran, review an event, and draw the network and the map. Screenshots go to
``test-output/screenshots/``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_helpers import TOKEN, build_store
from threatledger.api import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a test ledger, served by uvicorn on a free loopback port in a thread."""
    uvicorn = pytest.importorskip("uvicorn")
    db = build_store(tmp_path_factory.mktemp("browser"))
    port = free_port()
    config = uvicorn.Config(create_app(db, token=TOKEN), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that it should not: dialogs, script errors, CSP violations, failed loads."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.watch = Watch(tab)
    yield tab
    context.close()


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def assert_nothing_ran(page: Any) -> None:
    assert page.evaluate("() => window.__pwned === undefined"), "an injected script ran"
    assert page.watch.dialogs == []
    assert page.watch.errors == []


def test_browser_list_filter_incident_source(page: Any) -> None:
    page.goto("/")
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 3
    shot(page, "01-incident-list.png")

    page.fill("input[name=actor]", "Karimi")
    page.click("form#filters button[type=submit]")
    page.wait_for_url("**/?*actor=Karimi*")
    assert rows.count() == 1
    shot(page, "02-incident-list-filtered.png")

    page.click("a.incident-link")
    page.wait_for_url("**/incidents/*")
    assert page.locator("li.event").count() >= 6
    assert page.locator(".badge.status-alleged").count() >= 1
    assert page.locator("strong.trigger", has_text="plotting").count() == 1
    assert "released" in page.locator("section.accountability").inner_text()
    shot(page, "03-incident-timeline.png")

    page.locator("li.event").first.locator("a.source-link").first.click()
    page.wait_for_url("**/documents/ostend-charge?event=*")
    mark = page.locator("mark#hl")
    assert mark.is_visible()
    assert page.locator("mark.trigger").inner_text() == "plotting"
    assert "Karimi is accused of" in mark.inner_text()
    shot(page, "04-source-span-highlighted.png")
    assert_nothing_ran(page)


def test_browser_document_is_the_whole_article_with_every_span(browser: Any, base_url: str) -> None:
    """A window too small for the article: the asked span is scrolled to; every mention and trigger is
    marked; another event's trigger leads to that event's sentence."""
    context = browser.new_context(base_url=base_url, viewport={"width": 480, "height": 300})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.watch = Watch(tab)
    try:
        detail = context.request.get("/api/documents/ostend-charge").json()
        plot = next(e for e in detail["events"] if e["type"] == "PLOT")
        charge = next(e for e in detail["events"] if e["type"] == "CHARGE")
        tab.goto(f"/documents/ostend-charge?event={plot['id']}#hl")
        text = tab.locator("#doc-text")
        assert text.inner_text() == detail["text"]  # the whole article, as stored
        assert text.locator("span.mention").count() >= 5
        assert text.locator("span.mention", has_text="Leyla Baran").get_attribute("title") == "PERSON"
        assert text.locator("a.ev-trigger").count() == len(detail["events"]) - 1  # all but the asked one
        mark = tab.locator("mark#hl")
        assert "Karimi is accused of plotting" in mark.inner_text()
        assert mark.locator("mark.trigger").inner_text() == "plotting"
        box = mark.bounding_box()
        assert box is not None
        assert box["y"] >= 0  # scrolled to: in the window, though the page is taller than it
        assert box["y"] < 300
        assert tab.evaluate("() => window.scrollY") > 0
        shot(tab, "11-document-whole-article-spans.png", full_page=False)
        text.locator("a.ev-trigger", has_text="charged").click()
        tab.wait_for_url(f"**/documents/ostend-charge?event={charge['id']}#hl")
        assert tab.locator("mark#hl").inner_text() == charge["sentence"]["text"]
        assert tab.locator("mark.trigger").inner_text() == "charged"
        assert_nothing_ran(tab)
    finally:
        context.close()


def test_browser_injected_article_runs_nothing(page: Any) -> None:
    page.goto("/?q=gunmen+attacked+office")
    page.click("a.incident-link")
    page.wait_for_url("**/incidents/*")
    assert "<script>" in page.locator("h1").inner_text()  # shown as text
    assert page.locator("main script, main img, main b").count() == 0
    shot(page, "05-injection-incident-escaped.png")
    page.goto("/documents/evil-article")
    assert page.locator("a.original-link").count() == 0  # a javascript: URL is not a link
    shot(page, "06-injection-document-escaped.png")
    for url in ("/entities?q=Orlov", "/search?q=pwned", "/graph", "/map"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_nothing_ran(page)


def test_browser_network_graph(page: Any) -> None:
    page.goto("/graph")
    page.wait_for_selector("#graph[data-ready]")
    assert int(page.get_attribute("#graph", "data-ready") or 0) >= 5
    assert page.locator("#graph canvas").count() >= 1
    shot(page, "07-network-graph.png", full_page=False)
    assert_nothing_ran(page)


def test_browser_map(page: Any) -> None:
    page.goto("/map")
    page.wait_for_selector("#map[data-ready]")
    assert page.locator("#map svg .land path").count() > 100
    assert page.locator("#map svg circle.dot").count() >= 2
    shot(page, "08-map.png")
    assert_nothing_ran(page)


def test_browser_actor_page_and_review(page: Any) -> None:
    page.goto("/entities/Karimi")
    assert page.locator("h3.role-agent").count() == 1
    shot(page, "09-actor-by-role.png")

    page.goto("/?target=Omid+Sarraf")
    page.click("a.incident-link")
    page.fill("#review-token", TOKEN)
    page.dispatch_event("#review-token", "change")
    event = page.locator("li.event").first
    event.locator(".review-reason").fill("Checked against the court file")
    with page.expect_navigation():
        event.locator("button[data-action=confirm]").click()
    assert page.locator("li.event").first.locator(".badge.review-confirmed").count() == 1
    assert "Checked against the court file" in page.locator("section.corrections").inner_text()
    shot(page, "10-review-confirmed.png")
    assert_nothing_ran(page)
