"""Sales-pipeline analytics: the store, the importer and the metrics (no Streamlit here)."""
