"""ecopark: progress of Vietnam's industrial parks toward the eco-industrial park criteria."""

from .celery import app as celery_app

__all__ = ("celery_app",)
