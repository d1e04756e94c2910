from django.db import models


class Row(models.Model):
    """A ledger's row, plain: ten columns, nothing encrypted."""

    number = models.CharField(max_length=40)
    unit_name = models.CharField(max_length=40)
    agent_name = models.CharField(max_length=40)
    received_on = models.DateField(db_index=True)
    status = models.CharField(max_length=20)
    category = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    name = models.CharField(max_length=40)
    content = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-received_on", "-id"])]

    def __str__(self) -> str:
        return self.number
