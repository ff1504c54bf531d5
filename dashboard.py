"""The dashboard's entry point: `streamlit run dashboard.py`.

It only declares the pages (pages/shared/navigation.py) and runs the chosen one. Each page
sets itself up (connection, sidebar filters, title), so pages also run on their own.
"""

import streamlit as st

from pages.shared.layout import KEY_LANGUAGE
from pages.shared.locale import set_language
from pages.shared.navigation import build_navigation

st.set_page_config(
    page_title="Pipeline dashboard", page_icon=":material/monitoring:", layout="wide"
)
# The navigation is drawn before the page's language switch: take the language from the URL.
set_language(st.session_state.get(KEY_LANGUAGE) or st.query_params.get(KEY_LANGUAGE, "en").lower())
build_navigation().run()
