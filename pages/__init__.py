"""The dashboard's page scripts (run by Streamlit) and, in shared/, the widgets they have in common.

A regular package (not a namespace one) so that `import pages.shared` always finds this folder,
even when a test directory of the same name is on sys.path.
"""
