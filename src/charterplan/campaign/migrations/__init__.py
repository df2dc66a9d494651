"""Alembic revisions of the ledger schema, run by :mod:`charterplan.campaign.ledger`."""
