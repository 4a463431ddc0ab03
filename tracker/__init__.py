"""Due-diligence register for the companies that supply data and models to AI builders."""

__version__ = "0.1.0"
