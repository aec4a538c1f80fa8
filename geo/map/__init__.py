"""Places -> what people see and share: grouping mentions into places, the story frame, the folium map,
the PNG, exports, compare, styles, excerpts, attribution and the dashboard's views (without Streamlit)."""
