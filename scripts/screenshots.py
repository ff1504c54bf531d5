"""Take a full-page screenshot of every page of the dashboard, in both languages.

    python scripts/screenshots.py [--out DIR] [--width 1440] [--languages en,ja]

Starts `streamlit run dashboard.py` on a fresh temporary database (so the sample data is
loaded, as on a first start) and drives Debian's Chromium (/usr/bin/chromium) with Playwright.
Files are named after each page's URL path and language: docs/screenshots/<url_path>-<lang>.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pages.shared.navigation import PAGES  # noqa: E402
from tests.e2e.helpers import (  # noqa: E402
    CHROMIUM_ARGS,
    find_chromium,
    streamlit_server,
    wait_for_app,
)


def fit_height(page, width: int, min_height: int) -> None:
    """Make the window as tall as the page: Streamlit scrolls inside its main area, not the
    document, so a full-page screenshot would otherwise stop at the window's edge."""
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent', 'stAppViewContainer']
            .map(id => document.querySelector(`[data-testid="${id}"]`))
            .filter(Boolean).map(el => el.scrollHeight))"""
    )
    page.set_viewport_size({"width": width, "height": max(min_height, int(height) + 40)})
    page.wait_for_timeout(800)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--languages", default="en,ja")
    args = parser.parse_args(argv)

    executable = find_chromium()
    if executable is None:
        print(
            "No Chromium found: apt-get install --no-install-recommends chromium", file=sys.stderr
        )
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        log = tmp_path / "streamlit.log"
        with streamlit_server(tmp_path / "pipeline.duckdb", log) as server:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_ARGS, headless=True
                )
                context = browser.new_context(
                    viewport={"width": args.width, "height": args.height}, device_scale_factor=1
                )
                page = context.new_page()
                shots = [(spec, lang) for lang in args.languages.split(",") for spec in PAGES]
                for spec, lang in shots:
                    page.goto(f"{server.url}/{spec.link}?lang={lang.upper()}")
                    wait_for_app(page)
                    if page.get_by_test_id("stException").count():
                        print(
                            f"{spec.title} ({lang}): the page shows an exception", file=sys.stderr
                        )
                    # Let charts and tables finish drawing after the script has ended.
                    page.wait_for_timeout(1500)
                    fit_height(page, args.width, args.height)
                    target = args.out / f"{spec.url_path}-{lang}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.set_viewport_size({"width": args.width, "height": args.height})
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
