"""The warehouse as pef-gx reaches it directly (not through GX): connections and safe SQL."""
