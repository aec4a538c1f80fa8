"""Texts that tell several stories: three short reports from far apart pasted as one text, and a digest
of dated notes over five months (written for these tests)."""

THREE_REPORTS = """Mali: attack near Mopti

Gunmen attacked a checkpoint near Mopti in central Mali on 3 March 2023, killing four soldiers. Residents \
of Djenne said the army sent reinforcements from Bamako. The attack came days after clashes in Gao and Timbuktu.

Somalia: shelling in Mogadishu

Mortar shells hit a market in Mogadishu on 10 March 2023. Al Shabaab fighters also attacked a base near \
Baidoa and an outpost in Beledweyne, officials in Kismayo said.

Myanmar: fighting in Sagaing

Heavy fighting was reported in Sagaing Region on 17 March 2023. Troops shelled villages near Monywa and \
Shwebo, and residents fled towards Mandalay. Clashes were also reported near Kalay and in Myitkyina.
"""
SCENES = {"ML": ("Mopti", "Bamako", "Gao"), "SO": ("Mogadishu", "Baidoa", "Kismayo"),
          "MM": ("Monywa", "Mandalay", "Myitkyina")}

DIGEST = """Notes from the Sahel desk

12 January 2022: gunmen attacked a checkpoint near Mopti, killing three soldiers.

3 February 2022: an explosive device hit a convoy on the road between Gao and Ansongo.

18 March 2022: protesters marched in Bamako against rising prices.

9 April 2022: militants attacked the town of Djenne, burning the market.

27 May 2022: soldiers clashed with fighters near Timbuktu.
"""
