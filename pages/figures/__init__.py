"""Plotly figure builders of the pages: plain functions from small frames to figures."""
