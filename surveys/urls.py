from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.response_list, name="responses"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
    path("responses/<int:pk>/review/", views.response_review, name="response_review"),
    path("responses/<int:pk>/extension/", views.response_extension, name="response_extension"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/approve/", views.campaign_bulk_approve, name="campaign_approve"),
]

# Evidence files and autosave (surveys/views_evidence.py)
from . import views_evidence  # noqa: E402

urlpatterns += [
    path("responses/<int:pk>/evidence/", views_evidence.evidence_page, name="evidence"),
    path("evidence/<int:pk>/", views_evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views_evidence.evidence_remove, name="evidence_delete"),
    path("responses/<int:pk>/autosave/", views_evidence.response_autosave, name="autosave"),
]

# Excel template, import and exports (surveys/views_excel.py)
from . import views_excel  # noqa: E402

urlpatterns += [
    path("excel/", views_excel.excel_index, name="excel"),
    path("excel/campaigns/<int:campaign_id>/", views_excel.excel_campaign, name="excel_campaign"),
    path(
        "excel/campaigns/<int:campaign_id>/export/", views_excel.excel_export, name="excel_export"
    ),
    path(
        "excel/campaigns/<int:campaign_id>/parks/<int:park_id>/template/",
        views_excel.excel_template,
        name="excel_template",
    ),
    path(
        "excel/campaigns/<int:campaign_id>/parks/<int:park_id>/import/",
        views_excel.excel_import,
        name="excel_import",
    ),
    path(
        "excel/campaigns/<int:campaign_id>/parks/<int:park_id>/import/errors/",
        views_excel.excel_import_errors,
        name="excel_import_errors",
    ),
]

# Background XLSX exports (surveys/views_excel.py, surveys/tasks.py export_xlsx_task)
urlpatterns += [
    path("excel/exports/<int:job_id>/", views_excel.excel_export_job, name="excel_export_job"),
    path("excel/imports/<int:job_id>/", views_excel.excel_import_job, name="excel_import_job"),
    path(
        "excel/imports/<int:job_id>/errors.csv",
        views_excel.excel_import_job_errors,
        name="excel_import_job_errors",
    ),
    path(
        "excel/exports/<int:job_id>/download/",
        views_excel.excel_export_download,
        name="excel_export_download",
    ),
]

# Official documents (surveys/views_documents.py, surveys/documents.py)
from . import views_documents  # noqa: E402

urlpatterns += [
    path(
        "responses/<int:pk>/documents/<str:form>.<str:fmt>",
        views_documents.response_document,
        name="response_document",
    ),
    path(
        "excel/campaigns/<int:campaign_id>/documents/",
        views_documents.documents_archive,
        name="documents_archive",
    ),
]
