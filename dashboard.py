"""The dashboard's entry point: `streamlit run dashboard.py`.

It only declares the pages (pages/shared/navigation.py) and runs the chosen one. Each page
sets itself up (connection, sidebar filters, title), so pages also run on their own.
"""

import streamlit as st

from pages.shared.navigation import sections

st.set_page_config(
    page_title="Pipeline dashboard", page_icon=":material/monitoring:", layout="wide"
)
page = st.navigation(
    {
        section: [
            st.Page(
                p.path,
                title=p.title,
                icon=p.icon,
                url_path=p.url_path,
                help=p.help,
                default=p.default,
            )
            for p in specs
        ]
        for section, specs in sections().items()
    }
)
page.run()
