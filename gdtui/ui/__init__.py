"""The Textual front end: draws what the engine reports, holds no maths."""
