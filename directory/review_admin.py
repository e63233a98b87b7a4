"""Admin of client reviews, review invitations and the Global Partner of the Year settings (the reviews work fills it)."""
