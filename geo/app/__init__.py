"""The Streamlit app behind `dashboard.py`: one module per view or panel (the only place that imports
Streamlit); the engine, stores and map below it know nothing of the page."""
