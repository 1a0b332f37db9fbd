import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matches", "0004_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Free-text reasons were written before the form said who reads them: they stay with
        # the side that wrote them, and the startup-facing feedback starts empty.
        migrations.RenameField("match", "decline_reason", "decline_note"),
        migrations.AlterField(
            model_name="match",
            name="decline_note",
            field=models.TextField(
                blank=True, max_length=1000, verbose_name="internal decline note"
            ),
        ),
        migrations.AddField(
            model_name="match",
            name="feedback",
            field=models.TextField(blank=True, max_length=1000, verbose_name="feedback"),
        ),
        migrations.AddField(
            model_name="match",
            name="reason_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_a_fit", "Not a fit for the need"),
                    ("trl_too_early", "Technology too early (TRL)"),
                    ("budget_or_scale", "Budget or scale"),
                    ("existing_supplier", "Already working with a supplier"),
                    ("timing", "Timing"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="reason code",
            ),
        ),
        migrations.AddField(
            model_name="match",
            name="origin",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed by the engine"),
                    ("applied", "Applied by the startup"),
                ],
                db_index=True,
                default="proposed",
                max_length=10,
                verbose_name="origin",
            ),
        ),
        migrations.AddField(
            model_name="match",
            name="pitch",
            field=models.TextField(blank=True, max_length=2000, verbose_name="pitch"),
        ),
        migrations.AlterField(
            model_name="match",
            name="score",
            field=models.FloatField(blank=True, null=True, verbose_name="score"),
        ),
        migrations.AlterField(
            model_name="match",
            name="rank",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="rank"),
        ),
        migrations.AddField(
            model_name="match",
            name="viewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="viewed at"),
        ),
        migrations.AddField(
            model_name="match",
            name="shortlisted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="shortlisted at"),
        ),
        migrations.AddField(
            model_name="match",
            name="shortlisted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="shortlisted by",
            ),
        ),
        migrations.AddField(
            model_name="match",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
        ),
        migrations.AlterModelOptions(
            name="match",
            options={
                "ordering": [models.OrderBy(models.F("score"), descending=True, nulls_last=True), "id"],
                "verbose_name": "match",
                "verbose_name_plural": "matches",
            },
        ),
    ]
