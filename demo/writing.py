"""What people write: request templates, the values that fill them, and L1's replies."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from demo.people import FLOW, LUMEN, NAMES_BY_HUB, OTHER, RSR, DemoPartner

# --------------------------------------------------------------------------- #
# What people write                                                            #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class RequestTemplate:
    """One kind of request, with its {fields} filled in from :func:`request_values`."""

    product: str
    category: str
    subject: str
    description: str = ""
    what_doing: str = ""
    expected: str = ""
    actual: str = ""
    steps: str = ""
    tags: tuple[str, ...] = ()
    # How likely each impact is once triaged: Critical, Significant, Minor, Low.
    impacts: tuple[int, int, int, int] | None = None
    uses: str = "web"  # "app": the Flow app on a phone; "web": a browser
    reply: str = ""  # L1's answer when the request is a question they can answer
    fix: str = ""  # what was wrong, told to the requester when it is solved

    def render(self, values: dict[str, str]) -> dict[str, str]:
        return {
            name: getattr(self, name).format_map(values)
            for name in ("subject", "description", "what_doing", "expected", "actual", "steps")
        }

    def impact_weights(self) -> tuple[int, int, int, int]:
        if self.impacts:
            return self.impacts
        return {
            "bug": (2, 20, 48, 30),
            "question": (0, 5, 35, 60),
            "feature-request": (0, 2, 30, 68),
        }.get(self.category, (1, 10, 40, 49))


BUG, QUESTION, FEATURE = "bug", "question", "feature-request"

T = RequestTemplate
TEMPLATES: tuple[RequestTemplate, ...] = (
    # ---- Akvo Flow ------------------------------------------------------------
    T(
        FLOW, BUG, "Survey responses not syncing from the Flow app on Android",
        description=(
            "{since} none of our enumerators can send their submissions. The forms are marked "
            "as finished on the phones but stay in the outbox."
        ),
        what_doing=(
            "Syncing {forms} completed forms of the “{survey}” survey from a {device} "
            "({android}) with Flow app {app_version}."
        ),
        expected=(
            "The forms upload and appear on the {flow_instance} dashboard within a few minutes, "
            "as they did last week."
        ),
        actual=(
            "The sync runs for about a minute, then the app shows “Sync failed. Try again "
            "later.” Nothing new reaches the dashboard. It is the same on the office wifi and "
            "on mobile data."
        ),
        steps=(
            "1. Open the Flow app and pick the “{survey}” survey.\n2. Tap Sync data.\n"
            "3. Wait until the progress bar stops.\n"
            "4. The error appears and the forms stay in the outbox."
        ),
        tags=("device-and-app-sync",), impacts=(3, 40, 42, 15), uses="app",
        fix=(
            "The certificate of the upload service behind {flow_instance} had expired and the "
            "app refused to connect. It was renewed this morning: please ask the enumerators to "
            "tap Sync data once more, and the waiting forms will reach the dashboard."
        ),
    ),
    T(
        FLOW, BUG, "Data export to Excel stuck at 0% for a large survey",
        description="We need the raw data for our quarterly report, but the export never ends.",
        what_doing=(
            "Exporting the raw data report (Excel) of “{survey}”, about {responses} responses, "
            "from Data > Export."
        ),
        expected="An email with the download link after a few minutes.",
        actual=(
            "The export stays at 0% for hours and no email arrives. Smaller surveys in the same "
            "folder export without trouble."
        ),
        steps=(
            "1. Go to Data > Export.\n2. Pick the folder “{folder}” and the survey “{survey}”.\n"
            "3. Choose Raw data report, Excel, and click Export.\n4. The progress stays at 0%."
        ),
        tags=("data-export",), impacts=(1, 30, 50, 19),
        fix=(
            "The export service had stalled on one response with an unusually large photo "
            "answer. We restarted it, your export finished and the link is in your inbox. The "
            "developers are changing exports so that such a response is reported, not blocking."
        ),
    ),
    T(
        FLOW, BUG, "Cannot publish survey after adding a cascade question",
        description=(
            "We added a cascade question (region > district > village) and now the survey will "
            "not publish."
        ),
        what_doing=(
            "Adding the cascade resource “Administrative units {country}” to question 4 of "
            "“{survey}” and publishing the new version."
        ),
        expected="The survey publishes and the phones get the new version on their next sync.",
        actual=(
            "Publishing shows “An error occurred, please try again” and the version number does "
            "not change. The phones still have the old version."
        ),
        steps=(
            "1. Open “{survey}” in the survey editor.\n2. Add a cascade question and choose the "
            "cascade resource.\n3. Save, then click Publish.\n4. The error appears."
        ),
        tags=("forms-and-surveys",), impacts=(0, 30, 52, 18),
        fix=(
            "The cascade resource had not finished publishing itself, so the survey could not "
            "refer to it. We published the resource again; the survey now publishes normally."
        ),
    ),
    T(
        FLOW, BUG, "GPS question records 0,0 coordinates on some phones",
        description=(
            "About a third of the water points collected this week appear in the ocean off West "
            "Africa on the map."
        ),
        what_doing=(
            "Recording the location of each point with the geolocation question of “{survey}”, "
            "on {device} phones with Flow app {app_version}."
        ),
        expected="The coordinates of the point, accurate to a few metres.",
        actual=(
            "Some submissions have latitude 0 and longitude 0, although the app showed an "
            "accuracy of 5 m before the enumerator saved the answer."
        ),
        steps=(
            "1. Start a new form of “{survey}”.\n2. At the location question tap Get location "
            "and wait for the accuracy to drop below 10 m.\n3. Submit and sync.\n"
            "4. In the dashboard the point has coordinates 0, 0."
        ),
        tags=("device-and-app-sync", "forms-and-surveys"), uses="app",
    ),
    T(
        FLOW, BUG, "Photos missing from submissions in the dashboard",
        description="The answers arrive, but the photo questions show “image not found”.",
        what_doing="Reviewing the submissions of “{survey}” in Data > Inspect data.",
        expected="The photo taken by the enumerator next to each submission.",
        actual=(
            "{photos} photos show a broken image icon. The enumerators can still see them on "
            "their phones."
        ),
        steps=(
            "1. Open Data > Inspect data.\n2. Pick “{survey}”.\n"
            "3. Open a submission from this week and scroll to the photo question."
        ),
        tags=("device-and-app-sync",), uses="app",
        fix=(
            "The app had sent the answers but not yet the photos, which upload separately and "
            "only on wifi with the default settings. Once the phones were on wifi the photos "
            "arrived; you can allow uploads over mobile data in the app's settings."
        ),
    ),
    T(
        FLOW, QUESTION, "How do I assign a survey to a new group of enumerators?",
        description=(
            "We have hired {enumerators} new enumerators for the endline in {region}. They "
            "installed the Flow app with our instance code, but they cannot see “{survey}”. How "
            "do we give them the survey, and can we make sure they see only this survey and not "
            "our other ones?"
        ),
        tags=("user-management", "forms-and-surveys"),
        reply=(
            "Surveys reach phones through assignments. In the dashboard, open Devices > "
            "Assignments, create an assignment (for example “{assignment}”), add “{survey}” "
            "and select the new phones, then save. The phones receive the survey on their next "
            "sync. A phone only shows the surveys of the assignments it is in, so your other "
            "surveys stay hidden. The support article “Assigning surveys to devices” has "
            "screenshots of each step."
        ),
    ),
    T(
        FLOW, QUESTION, "Moving data collection to new phones without losing unsent forms",
        description=(
            "Our project received {n} new tablets and we want to retire the old phones. Some old "
            "phones still hold forms that were never sent. What is the safest way to move to the "
            "new devices? Do we need to register the new devices on the dashboard first?"
        ),
        tags=("device-and-app-sync",), uses="app",
        reply=(
            "First let every old phone sync on a good connection until its outbox is empty; "
            "Devices > Devices list shows the last contact of each phone so you can check. Then "
            "install the Flow app on the tablets, enter your instance code, and add the tablets "
            "to the same assignment as the old phones. There is nothing else to register. Keep "
            "the old phones for a week before wiping them, in case one still holds a form."
        ),
    ),
    T(
        FLOW, QUESTION, "Can we correct a submitted response that has a typo?",
        description=(
            "An enumerator typed 1500 household members instead of 15 in “{survey}”. The value "
            "spoils our averages. Can we edit the answer on the dashboard, and is the original "
            "value kept somewhere for our audit?"
        ),
        tags=("forms-and-surveys",),
        reply=(
            "Yes: in Data > Inspect data, open the submission, click Edit next to the answer, "
            "correct it and save. Each edit is logged with the user and time, and the original "
            "value stays in the submission's history. For many corrections at once you can "
            "export the raw data, correct the sheet and upload it through Bulk upload."
        ),
    ),
    T(
        FLOW, FEATURE, "Skip logic based on an answer in an earlier question group",
        description=(
            "In “{survey}” we want the water quality question group to appear only when the "
            "answer to the source type question, in the first group, was “Borehole” or "
            "“Protected spring”. We could not find a way to make a whole group depend on an "
            "answer elsewhere, so enumerators now page through questions that do not apply. It "
            "would shorten each interview by several minutes."
        ),
        tags=("forms-and-surveys",),
    ),
    T(
        FLOW, FEATURE, "Automatic weekly export of survey data to SharePoint",
        description=(
            "Every Monday our M&E officer exports “{survey}” by hand and uploads the file to our "
            "SharePoint for the {region} team. It would save hours if Flow could send the export "
            "on a schedule, or if we could fetch it through an API with a token."
        ),
        tags=("data-export", "api-and-integrations"),
    ),
    T(
        FLOW, BUG, "Flow dashboard very slow when opening Inspect data",
        description="Opening Inspect data for one survey takes minutes and sometimes times out.",
        what_doing=(
            "Opening Data > Inspect data for “{survey}” ({responses} responses) in {browser} on "
            "{os}."
        ),
        expected="The first page of responses within a few seconds.",
        actual=(
            "The page loads for two to three minutes; about one time in three it ends with "
            "“Request timed out”. Other surveys in the same folder open quickly."
        ),
        steps=(
            "1. Log in to {flow_instance}.\n2. Go to Data > Inspect data.\n"
            "3. Pick the folder “{folder}” and the survey “{survey}”."
        ),
        tags=("performance",), impacts=(0, 25, 55, 20),
        fix=(
            "The survey's responses were missing a database index after last month's "
            "migration. The developers added it; Inspect data now opens in about two seconds."
        ),
    ),
    T(
        FLOW, BUG, "Survey translation not shown in the app",
        description="We added a {language} translation, but the enumerators still see English.",
        what_doing=(
            "Switching the Flow app to {language} on a {device} with app {app_version}, then "
            "opening “{survey}”."
        ),
        expected="The questions and options in {language}.",
        actual=(
            "The question texts stay in English; only the option “Other” is translated. The "
            "translation is complete in the survey editor."
        ),
        steps=(
            "1. Add the {language} translation in the survey editor and publish.\n"
            "2. Sync the phone.\n3. Change the survey language in the app.\n"
            "4. Open a new form."
        ),
        tags=("forms-and-surveys",), impacts=(0, 15, 55, 30), uses="app",
    ),
    T(
        FLOW, QUESTION, "Give a consultant access to one folder only",
        description=(
            "A consultant, {colleague}, will clean the data of the “{folder}” folder for two "
            "months. Can we give them access to that folder only, without letting them see or "
            "delete our other surveys? Will the access end by itself, or do we remove it?"
        ),
        tags=("user-management", "login-and-access"),
        reply=(
            "Yes. In Users, add the consultant and give them a role (for example “Data "
            "cleaning”) on the “{folder}” folder only: roles apply to the folder you choose and "
            "everything inside it, so the other folders stay out of sight. Access does not "
            "expire by itself, so put a reminder in your calendar to remove the user when the "
            "work ends."
        ),
    ),
    T(
        FLOW, BUG, "Monitoring form answers not linked to the registered water point",
        description=(
            "In our monitoring survey the follow-up visits appear as new data points instead of "
            "under the water point they belong to."
        ),
        what_doing=(
            "Submitting the monitoring form of “{survey}” for an existing water point, chosen "
            "from the list in the app ({device}, app {app_version})."
        ),
        expected="The visit listed under that water point, after its registration form.",
        actual=(
            "Every visit creates a new data point called “Unknown”, so our map now shows "
            "duplicates next to most water points."
        ),
        steps=(
            "1. Open “{survey}” in the app.\n2. Choose an existing water point.\n"
            "3. Fill in the monitoring form and submit.\n4. Sync and look at the map."
        ),
        tags=("forms-and-surveys", "device-and-app-sync"), uses="app",
    ),
    T(
        FLOW, BUG, "Cannot log in to the Flow dashboard after a password reset",
        description="I reset my password this morning and now get “Access denied”.",
        what_doing="Logging in to {flow_instance} with the new password in {browser}.",
        expected="The dashboard's home page.",
        actual=(
            "After the login page the browser shows “Access denied: you do not have permission "
            "to view this dashboard”. My colleagues can still log in."
        ),
        steps=(
            "1. Reset the password from the login page.\n2. Log in with the new password.\n"
            "3. “Access denied” appears."
        ),
        tags=("login-and-access",), impacts=(4, 40, 41, 15),
        fix=(
            "The reset had created a second account with your address in lower case, without "
            "any role. We merged it into your original account; you can log in as before."
        ),
    ),
    T(
        FLOW, QUESTION, "What does data approval do, and how do we switch it on?",
        description=(
            "Our donor wants every submission of “{survey}” checked by a supervisor before it is "
            "used in reports. We saw a “Data approval” option in the folder settings. Who "
            "approves, can we have two steps (district officer, then M&E lead), and does "
            "unapproved data still appear in exports?"
        ),
        tags=("forms-and-surveys", "documentation"),
        reply=(
            "Data approval is set per folder: you define one or more approval steps and the "
            "users who may approve at each step, and the steps can be ordered, so “district "
            "officer, then M&E lead” works. Exports include every submission with its approval "
            "status in a column, so you can filter out unapproved ones. The article “Setting up "
            "data approval” walks through it."
        ),
    ),
    T(
        FLOW, BUG, "Bulk upload of corrected data fails with “Invalid file”",
        description="We cleaned {n}0 responses in Excel and want to upload them back.",
        what_doing="Uploading the corrected raw data report of “{survey}” in Data > Bulk upload.",
        expected="The corrected answers replace the old ones.",
        actual=(
            "The upload stops at once with “Invalid file, please use the export template”. We "
            "did not change the column headers, only answers."
        ),
        steps=(
            "1. Export the raw data report of “{survey}”.\n2. Correct answers in Excel, save "
            "as .xlsx.\n3. Upload it in Data > Bulk upload.\n4. The error appears."
        ),
        tags=("data-import",), impacts=(0, 20, 55, 25),
        fix=(
            "Excel had turned the metadata row into dates when the file was saved, so the "
            "upload no longer recognised it as an export. Saving with the first two rows "
            "formatted as text solves it; we uploaded your corrected file that way."
        ),
    ),
    T(
        FLOW, BUG, "Flow dashboard down: error 502 for everybody",
        description=(
            "Nobody in our team can open {flow_instance} since about {hour}:00. We are training "
            "{enumerators} enumerators today and cannot publish the survey."
        ),
        what_doing="Opening the dashboard at {flow_instance}.",
        expected="The login page.",
        actual="“502 Bad Gateway” on every page, from different networks and browsers.",
        steps="1. Open {flow_instance} in any browser.\n2. The 502 error appears.",
        tags=("login-and-access", "performance"), impacts=(80, 20, 0, 0),
        fix=(
            "A failed deployment had left the dashboard without a running application server. "
            "It was rolled back and the dashboard has been up since; we are sorry for the "
            "interrupted training."
        ),
    ),
    # ---- Akvo RSR -------------------------------------------------------------
    T(
        RSR, BUG, "Cannot export RSR project results to Excel",
        description="The Excel export of our results framework gives an empty file.",
        what_doing=(
            "Downloading the results of “{project}” as Excel from the project's results page, "
            "for the period {period}."
        ),
        expected="A spreadsheet with every indicator, its target and the actual value.",
        actual=(
            "The download starts, but the file holds only the column headers. The same export "
            "worked last quarter."
        ),
        steps=(
            "1. Open “{project}” in My RSR.\n2. Go to Results and choose the period {period}.\n"
            "3. Click Download > Excel.\n4. Open the file: only the headers."
        ),
        tags=("data-export", "reports-and-results"), impacts=(0, 30, 50, 20),
        fix=(
            "The export skipped every indicator with a disaggregation that had no target. The "
            "developers fixed it in today's release; the download now includes all indicators."
        ),
    ),
    T(
        RSR, BUG, "Indicator period locked: cannot enter the actual value",
        description="Our field officer cannot enter the results for {period}.",
        what_doing=(
            "Entering the actual value of the indicator “{indicator}” of “{project}” for "
            "{period}, as M&E manager."
        ),
        expected="The value field opens so we can add the value and a comment.",
        actual=(
            "The period shows a lock icon and “This period is locked”. Nobody here locked it, "
            "and the reporting deadline is this Friday."
        ),
        steps=(
            "1. Open the results of “{project}”.\n2. Expand “{indicator}”.\n"
            "3. Click the period {period}."
        ),
        tags=("reports-and-results",), impacts=(0, 35, 45, 20),
        fix=(
            "Periods lock automatically when the lead organisation closes a reporting round. "
            "We unlocked {period} for your project until the end of next week."
        ),
    ),
    T(
        RSR, QUESTION, "How do I add a partner organisation to a project?",
        description=(
            "We implement “{project}” with a local organisation that now has its own RSR "
            "account. How do we add them as implementing partner, and can their staff then "
            "post updates on our project without seeing our other projects?"
        ),
        tags=("user-management",),
        reply=(
            "Open the project editor of “{project}”, section Partners, and add the organisation "
            "with the role Implementing partner. Their users with the Project editor role can "
            "then post updates and enter results on this project only; your other projects "
            "stay invisible to them unless you add them there as well."
        ),
    ),
    T(
        RSR, QUESTION, "Difference between the M&E manager and project editor roles",
        description=(
            "We are setting up accounts for {n} new colleagues. Some should only post updates, "
            "others should also approve results. Which roles should they get, and can one "
            "person have different roles on different projects?"
        ),
        tags=("user-management", "documentation"),
        reply=(
            "Project editors can post updates and enter results; M&E managers can also approve "
            "results and lock periods. Roles belong to a person within an organisation, and you "
            "can restrict a user to chosen projects, so someone can be editor on one project "
            "and have no access to another. The article “User roles in RSR” has a table of what "
            "each role may do."
        ),
    ),
    T(
        RSR, BUG, "Project page still shows the old photo after updating it",
        description="We replaced the main photo of “{project}” a week ago.",
        what_doing="Changing the project photo in the project editor and saving.",
        expected="The new photo on the public project page.",
        actual=(
            "The editor shows the new photo; the public page and our organisation page still "
            "show the old one, also in a private browser window."
        ),
        steps=(
            "1. Open the editor of “{project}”.\n2. Replace the photo and save.\n"
            "3. Open the public project page."
        ),
        tags=("reports-and-results",), impacts=(0, 0, 20, 80),
        fix="The page cache had kept the old photo. We cleared it; the new photo shows now.",
    ),
    T(
        RSR, BUG, "Updates posted by field staff not visible on the project page",
        description="Our field staff posted {n} updates this month but none of them is public.",
        what_doing="Posting a project update with photos on “{project}” as project editor.",
        expected="The update on the public project page, as before.",
        actual=(
            "The update appears in My RSR, but the public page still shows the last update from "
            "{period}."
        ),
        steps=(
            "1. In My RSR open “{project}”.\n2. Add an update with a photo and publish.\n"
            "3. Open the public project page."
        ),
        tags=("reports-and-results",),
    ),
    T(
        RSR, FEATURE, "Copy a results framework to a new project",
        description=(
            "We start {n} new projects each year with the same results framework (about 20 "
            "indicators). Typing it again each time takes a day and causes mistakes. Could we "
            "copy the framework of an existing project, such as “{project}”, into a new one?"
        ),
        tags=("reports-and-results",),
    ),
    T(
        RSR, BUG, "IATI export fails validation on the budget element",
        description="Our IATI file does not pass the validator since we added the 2026 budget.",
        what_doing="Creating a new IATI export for {org} in My RSR > IATI.",
        expected="A valid file that the IATI registry accepts.",
        actual=(
            "The export finishes, but the validator reports “budget: period-end must be after "
            "period-start” for “{project}”. The dates in RSR look right: 1 January to "
            "31 December 2026."
        ),
        steps=(
            "1. Go to My RSR > IATI.\n2. Select all projects and create an export.\n"
            "3. Run the file through the IATI validator."
        ),
        tags=("api-and-integrations", "data-export"),
        fix=(
            "The export wrote budget dates in the server's time zone, which moved 1 January to "
            "31 December for some projects. The fix is live; please create a new export."
        ),
    ),
    T(
        RSR, QUESTION, "Why is our new project not listed on our organisation page?",
        description=(
            "We published “{project}” last week. It opens with its link, but it is not in the "
            "project list of our organisation page or in the project directory. Is there a "
            "setting we missed?"
        ),
        tags=("reports-and-results",),
        reply=(
            "The project lists show projects where your organisation is a partner with a "
            "reporting role. In the editor of “{project}”, section Partners, your organisation "
            "is listed only as funder; add the role Reporting organisation and the project will "
            "appear in the lists within an hour."
        ),
    ),
    T(
        RSR, BUG, "Invitation email to a new user never arrives",
        description="I invited {colleague} twice, but no email arrived (not in spam either).",
        what_doing="Inviting a new user with the Project editor role in My RSR > Users.",
        expected="An invitation email with a link to set a password.",
        actual=(
            "My RSR says “Invitation sent” but nothing arrives. Colleagues invited last month "
            "did get the email."
        ),
        steps="1. Go to My RSR > Users.\n2. Click Invite, fill in the address and role, send.",
        tags=("notifications-and-email", "user-management"),
        fix=(
            "Your mail server rejected our invitations as bulk mail. We sent the invitation "
            "again from the support address, and your IT team has allowed our sender."
        ),
    ),
    T(
        RSR, FEATURE, "Import indicator targets from a spreadsheet",
        description=(
            "We have about {n}0 indicators across {n} projects, with quarterly targets. Typing "
            "them one by one takes days. Could we upload the targets from Excel, in the same "
            "layout as the results export?"
        ),
        tags=("data-import", "reports-and-results"),
    ),
    T(
        RSR, BUG, "Results page takes more than a minute to load",
        description="The results page of our largest project has become very slow.",
        what_doing="Opening the results of “{project}” in My RSR with {browser} on {os}.",
        expected="The list of indicators within a few seconds.",
        actual=(
            "The page takes 60 to 90 seconds; sometimes the browser offers to stop the page. "
            "The project has 48 indicators and 6 years of periods."
        ),
        steps="1. Log in to My RSR.\n2. Open “{project}”.\n3. Click Results.",
        tags=("performance",),
    ),
    T(
        RSR, BUG, "Changes to the results framework lost after saving (error 500)",
        description="Every time we save the results framework we get an error page.",
        what_doing="Adding two indicators to the results framework of “{project}”.",
        expected="The framework saved with the new indicators.",
        actual=(
            "“Server error (500)” after clicking Save; after a reload the new indicators are "
            "gone. Our donor report is due on the 15th."
        ),
        steps=(
            "1. Open the editor of “{project}”, section Results.\n"
            "2. Add an indicator with a baseline.\n3. Click Save."
        ),
        tags=("reports-and-results",), impacts=(10, 55, 30, 5),
    ),
    # ---- Akvo Lumen -----------------------------------------------------------
    T(
        LUMEN, BUG, "Lumen dashboard visualisation shows wrong totals after dataset update",
        description="After updating the dataset, the totals on our dashboard no longer match.",
        what_doing=(
            "Updating the dataset “{dataset}” from Flow and opening the dashboard "
            "“{lumen_dashboard}”."
        ),
        expected="“{visualisation}” shows the new totals; the dataset now has {rows} rows.",
        actual=(
            "The chart shows roughly twice the real totals. A pivot table on the same column "
            "gives the right numbers."
        ),
        steps=(
            "1. Open the dataset “{dataset}” and click Update.\n2. Wait for the update to end.\n"
            "3. Open the dashboard “{lumen_dashboard}”.\n"
            "4. Compare “{visualisation}” with a pivot table of the same column."
        ),
        tags=("dashboards-and-visualisation",), impacts=(1, 35, 45, 19),
        fix=(
            "The update had appended the new responses without removing the earlier copies, "
            "because the dataset's key column was changed after the first import. We rebuilt "
            "the dataset from Flow; the totals are right again."
        ),
    ),
    T(
        LUMEN, BUG, "Importing a Flow survey into Lumen fails",
        description="Importing a survey as a new dataset fails after a few minutes.",
        what_doing=(
            "Adding a dataset from Akvo Flow, choosing the folder “{folder}” and the survey "
            "“{survey}”."
        ),
        expected="A dataset with all responses, ready to use.",
        actual=(
            "The import runs for a while, then “Failed to import dataset: an unexpected error "
            "occurred”. Other surveys import fine."
        ),
        steps=(
            "1. Click Dataset > New dataset.\n2. Choose Akvo Flow, the folder and the survey.\n"
            "3. Click Import."
        ),
        tags=("data-import", "api-and-integrations"),
        fix=(
            "A question of type “caddisfly” in the survey was not supported by the importer. "
            "The fix is released; the survey imports now."
        ),
    ),
    T(
        LUMEN, BUG, "Map visualisation does not show the newly collected points",
        description="Points collected this month do not appear on our map.",
        what_doing="Opening the map “{visualisation}” after updating “{dataset}”.",
        expected="All {rows} points, including this month's.",
        actual=(
            "Only the points from before the update show. The new rows are in the dataset with "
            "valid coordinates."
        ),
        steps=(
            "1. Update “{dataset}”.\n2. Open the map “{visualisation}”.\n"
            "3. Zoom to {region}."
        ),
        tags=("dashboards-and-visualisation",),
    ),
    T(
        LUMEN, QUESTION, "How can we share a dashboard with our donor without an account?",
        description=(
            "Our donor would like to follow “{lumen_dashboard}” every month. They do not want "
            "another login. Can we share the dashboard with a link, and can we protect it with "
            "a password?"
        ),
        tags=("dashboards-and-visualisation", "user-management"),
        reply=(
            "Yes: open the dashboard, click Share and switch on the public link. Anyone with the "
            "link sees the dashboard read-only, without logging in, and it follows your updates. "
            "You can add a password to the link in the same window, and switch the link off at "
            "any time."
        ),
    ),
    T(
        LUMEN, QUESTION, "How do I merge two datasets?",
        description=(
            "We want to combine “{dataset}” with the RSR indicators export, matching rows on the "
            "district name. Which transformation should we use, and what happens to rows that "
            "do not match?"
        ),
        tags=("data-import", "documentation"),
        reply=(
            "Use the Merge datasets transformation on “{dataset}”: choose the RSR dataset, the "
            "district column on both sides and the columns to bring over. It keeps every row of "
            "“{dataset}”; rows without a match get empty values in the merged columns. Make sure "
            "the district names are spelled alike in both (the Change case and Trim "
            "transformations help)."
        ),
    ),
    T(
        LUMEN, FEATURE, "Schedule an automatic dataset update from Flow",
        description=(
            "We update “{dataset}” by hand every morning so that the dashboard "
            "“{lumen_dashboard}” is current for the field coordinators. Could Lumen update a "
            "Flow dataset on a schedule, for example every night?"
        ),
        tags=("data-import", "api-and-integrations"),
    ),
    T(
        LUMEN, BUG, "Pivot table CSV export is missing columns",
        description="The CSV of our pivot table has fewer columns than the table on screen.",
        what_doing="Downloading the pivot table “{visualisation}” as CSV.",
        expected="The same rows and columns as on screen.",
        actual="The CSV stops after the seventh column; the table on screen has twelve.",
        steps="1. Open “{visualisation}”.\n2. Click Download > CSV.\n3. Open the file.",
        tags=("data-export",), impacts=(0, 10, 50, 40),
    ),
    T(
        LUMEN, BUG, "Date column becomes text after changing the column type",
        description="We cannot filter by date any more after a transformation.",
        what_doing="Changing the type of the column “Visit date” in “{dataset}” to date.",
        expected="A date column we can filter and chart by month.",
        actual=(
            "The transformation succeeds, but the column stays text and half of the values "
            "become empty."
        ),
        steps=(
            "1. Open “{dataset}”.\n2. Column menu of “Visit date” > Change data type > Date.\n"
            "3. Choose the format DD/MM/YYYY and apply."
        ),
        tags=("data-import",),
        fix=(
            "The dates were a mix of DD/MM/YYYY and YYYY-MM-DD from two versions of the survey. "
            "Splitting the column by format first, as shown in the attached steps, converts all "
            "of them."
        ),
    ),
    T(
        LUMEN, BUG, "Embedded dashboard on our website shows “Not authorised”",
        description="The dashboard we embed on our website stopped working.",
        what_doing="Opening our website's results page, which embeds “{lumen_dashboard}”.",
        expected="The dashboard inside the page, as last month.",
        actual="The frame shows “Not authorised”. Opening the share link directly works.",
        steps="1. Open our results page.\n2. Scroll to the dashboard frame.",
        tags=("dashboards-and-visualisation", "login-and-access"), impacts=(1, 30, 49, 20),
    ),
    T(
        LUMEN, FEATURE, "Download a dashboard as PDF for board reports",
        description=(
            "Every quarter we paste screenshots of “{lumen_dashboard}” into the report for our "
            "board. A PDF download of the whole dashboard, with the date and filters printed on "
            "it, would make this much easier."
        ),
        tags=("dashboards-and-visualisation", "data-export"),
    ),
    T(
        LUMEN, QUESTION, "Why does the pie chart group small values into “Other”?",
        description=(
            "In “{visualisation}” the smaller districts are grouped into one “Other” slice. Our "
            "director wants to see all of them. Can we turn the grouping off?"
        ),
        tags=("dashboards-and-visualisation",),
        reply=(
            "Pie charts group slices below a small share into “Other” to stay readable. In the "
            "visualisation editor, open the legend settings and raise the number of slices, or "
            "switch to a bar chart, which shows every district."
        ),
    ),
    T(
        LUMEN, BUG, "Lumen very slow when filtering a large dataset",
        description="Filters on our largest dataset take minutes.",
        what_doing=(
            "Applying a filter on “{dataset}” ({rows} rows) in {browser} on {os}."
        ),
        expected="The filtered rows within a few seconds.",
        actual="The spinner runs for two to four minutes; the browser tab uses 3 GB of memory.",
        steps="1. Open “{dataset}”.\n2. Column menu > Filter > “District is {region}”.",
        tags=("performance",),
    ),
    T(
        LUMEN, BUG, "Cannot log in to our Lumen instance since this morning",
        description="All of us get an error after entering our password.",
        what_doing="Logging in to {lumen_instance} in {browser}.",
        expected="The Lumen library.",
        actual="“Invalid redirect” after the login page, for every user of our organisation.",
        steps="1. Open {lumen_instance}.\n2. Log in.\n3. The error appears.",
        tags=("login-and-access",), impacts=(40, 45, 15, 0),
        fix=(
            "The login configuration of {lumen_instance} pointed to an old address after last "
            "night's maintenance. It is corrected and everyone can log in again."
        ),
    ),
    # ---- Other ----------------------------------------------------------------
    T(
        OTHER, QUESTION, "Training for new M&E staff on Flow and Lumen",
        description=(
            "We have {n} new M&E officers starting next month. Do you offer training, online or "
            "in {region}, and what would it cost? Ideally two days: survey design, then "
            "dashboards."
        ),
        tags=("documentation",),
        reply=(
            "We do: there is a two-day online course (survey design on day one, data cleaning "
            "and dashboards on day two), and our {hub} team can also train on site. I have "
            "passed your request to your partnership manager, who will send dates and a quote "
            "this week. Meanwhile the support site's “Getting started” guides are a good "
            "preparation."
        ),
    ),
    T(
        OTHER, QUESTION, "Licence renewal and invoice for 2026",
        description=(
            "Our finance team needs the invoice for the 2026 licence of {org} before the end of "
            "the month, addressed to our country office in {region}. Who should we contact?"
        ),
        tags=("documentation",),
        reply=(
            "I have forwarded your message to our finance colleagues, who will send the "
            "invoice to your country office within three working days. For future questions "
            "about invoices you can write to them directly at finance@example.org."
        ),
    ),
    T(
        OTHER, QUESTION, "Which tool should we use to report project indicators?",
        description=(
            "We are starting a {n}-year programme and must report 15 indicators to our donor "
            "every six months. We already collect data with Flow. Should we report in RSR, or "
            "build a Lumen dashboard? What do other partners do?"
        ),
        tags=("documentation", "reports-and-results"),
        reply=(
            "Most partners in your situation report indicators in RSR, because it holds targets, "
            "periods and approvals and can publish to IATI, and use Lumen for analysis and "
            "dashboards on the Flow data. The two work well together: Lumen can import RSR "
            "results. Happy to set up a short call to look at your indicators together."
        ),
    ),
    T(
        OTHER, BUG, "Password reset emails end up in spam",
        description="Our staff do not receive the password reset emails, or find them in spam.",
        what_doing="Requesting a password reset from the login page.",
        expected="The reset email in the inbox within a minute.",
        actual="The email lands in the spam folder of our Outlook accounts, or not at all.",
        steps="1. Click “Forgot password”.\n2. Enter the address and submit.",
        tags=("notifications-and-email", "login-and-access"), impacts=(0, 15, 55, 30),
        fix=(
            "Our sender was missing from the list your mail server trusts. Your IT colleagues "
            "added it; the emails now reach the inbox."
        ),
    ),
    T(
        OTHER, FEATURE, "Single sign-on with our Microsoft 365 accounts",
        description=(
            "We use Flow, RSR and Lumen with {n}0 staff. Managing three passwords per person is a "
            "burden and our IT policy asks for single sign-on. Could we log in with our "
            "Microsoft 365 accounts?"
        ),
        tags=("login-and-access",),
    ),
    T(
        OTHER, QUESTION, "Where is our survey data hosted? (data protection questionnaire)",
        description=(
            "Our donor asks us to fill in a data protection questionnaire. Where are our Flow "
            "and Lumen data stored, who can access them, and do you have a data processing "
            "agreement we can sign?"
        ),
        tags=("documentation",),
        reply=(
            "The data is hosted in data centres in the European Union, encrypted at rest and in "
            "transit, and only our operations staff can reach the servers. I have attached our "
            "standard data processing agreement and the security summary most donors ask for; "
            "send us the questionnaire if anything is left open."
        ),
    ),
    T(
        OTHER, QUESTION, "Remove the account of a colleague who left",
        description=(
            "{colleague} left our organisation last week. Please remove their access to all "
            "Akvo tools. Their surveys and datasets should stay with us."
        ),
        tags=("user-management",),
        reply=(
            "Done: {colleague}'s accounts are deactivated in Flow, RSR and Lumen. Their surveys, "
            "datasets and dashboards stay in your organisation; I moved the ownership of the "
            "Lumen items to you."
        ),
    ),
    T(
        OTHER, FEATURE, "API access to push survey data into our national database",
        description=(
            "The Ministry in {country} runs a national water point database. We would like "
            "our Flow submissions to reach it automatically instead of through monthly Excel "
            "files. Is there an API we can use, or could one be added?"
        ),
        tags=("api-and-integrations", "data-export"),
    ),
)  # fmt: skip
del T

# Values for the {fields} in the templates. Survey and dataset names are the partner's own.
SINCE = ("Since yesterday", "Since Monday morning", "Since the weekend", "Since this morning",
         "For two days now", "Since the app update")  # fmt: skip
SURVEYS = ("Water point mapping 2026", "Household WASH baseline", "School sanitation monitoring",
           "Borehole functionality check", "Farmer training attendance",
           "Latrine construction follow-up", "Coffee farm census", "Handwashing station check",
           "Water quality testing (E. coli)", "Irrigation scheme registration",
           "Community health worker visits", "Cocoa cooperative baseline",
           "Spring source mapping", "Market price monitoring")  # fmt: skip
FOLDERS = ("2026 / Q1 monitoring", "Baseline surveys", "County programmes", "Pilot 2025",
           "Endline", "Water points", "Health facilities", "Training")  # fmt: skip
DEVICES = ("Samsung Galaxy A14", "Samsung Galaxy Tab A8", "Tecno Spark 10", "Infinix Hot 30",
           "Xiaomi Redmi 12", "Nokia G21", "Huawei Y7", "itel A70", "Samsung Galaxy A05s",
           "Oppo A17", "Motorola Moto G13")  # fmt: skip
ANDROID = ("Android 10", "Android 11", "Android 12", "Android 13", "Android 14")
FLOW_APP_VERSIONS = ("2.17.3", "2.18.4", "2.19.0", "2.19.2", "2.20.1")
BROWSERS = ("Chrome 131", "Chrome 128", "Firefox 133", "Edge 131", "Safari 17.6")
OPERATING_SYSTEMS = ("Windows 11", "Windows 10", "macOS 14", "Ubuntu 22.04", "ChromeOS")
LANGUAGES = ("French", "Swahili", "Amharic", "Bahasa Indonesia", "Spanish", "Portuguese",
             "Hausa", "Nepali")  # fmt: skip
ASSIGNMENTS = ("Enumerators North", "Field team B", "Data collectors 2026", "District officers",
               "Endline team")  # fmt: skip
PROJECTS = ("Clean water for 40 schools", "Climate-smart dairy value chains",
            "Resilient cocoa livelihoods", "WASH in health facilities",
            "Urban sanitation for informal settlements", "Coffee farmer income programme",
            "Watershed restoration", "Youth employment in agribusiness",
            "Menstrual hygiene in secondary schools", "Safe water enterprises",
            "Community-led total sanitation scale-up")  # fmt: skip
INDICATORS = ("Number of people with access to basic drinking water", "Number of farmers trained",
              "% of schools with functional latrines", "Hectares under improved management",
              "Households with a handwashing facility", "Average yield per hectare (kg)",
              "Women in water committee leadership")  # fmt: skip
PERIODS = ("January to June 2025", "July to December 2025", "Q4 2025", "Q1 2026", "2025")
RSR_ROLES = ("M&E manager", "Project editor", "Admin", "User manager")
DATASETS = ("Water point survey (all responses)", "Household baseline 2025 (cleaned)",
            "RSR indicators export", "School WASH monitoring", "Farmer census merged",
            "Borehole repairs log", "Spring discharge measurements")  # fmt: skip
VISUALISATIONS = ("Functional water points by district", "Average household size by district",
                  "Latrine coverage map", "Monthly repairs", "Yield per hectare by cooperative",
                  "Schools by sanitation status", "Water quality results map")  # fmt: skip
LUMEN_DASHBOARDS = ("Programme overview", "WASH dashboard", "Board report 2026",
                    "Field monitoring", "Donor dashboard")  # fmt: skip


def request_values(rng: random.Random, partner: DemoPartner | None) -> dict[str, str]:
    """Everything a template's {fields} may ask for, for one request."""
    short = partner.short if partner else "demo"
    hub_people = NAMES_BY_HUB[partner.hub if partner else "europe"]
    return {
        "since": rng.choice(SINCE),
        "survey": rng.choice(SURVEYS),
        "folder": rng.choice(FOLDERS),
        "forms": str(rng.randint(6, 140)),
        "responses": f"{rng.randint(2, 90) * 1000 + rng.randint(0, 999):,}",
        "photos": str(rng.randint(12, 400)),
        "device": rng.choice(DEVICES),
        "android": rng.choice(ANDROID),
        "app_version": rng.choice(FLOW_APP_VERSIONS),
        "language": rng.choice(LANGUAGES),
        "assignment": rng.choice(ASSIGNMENTS),
        "enumerators": str(rng.randint(6, 45)),
        "short": short.upper(),
        "flow_instance": f"{short}.akvoflow.org",
        "lumen_instance": f"{short}.akvolumen.org",
        "project": rng.choice(PROJECTS),
        "indicator": rng.choice(INDICATORS),
        "period": rng.choice(PERIODS),
        "dataset": rng.choice(DATASETS),
        "visualisation": rng.choice(VISUALISATIONS),
        "lumen_dashboard": rng.choice(LUMEN_DASHBOARDS),
        "rows": f"{rng.randint(3, 250) * 1000:,}",
        "browser": rng.choice(BROWSERS),
        "os": rng.choice(OPERATING_SYSTEMS),
        "hour": str(rng.randint(7, 15)),
        "n": str(rng.randint(2, 9)),
        "colleague": f"{rng.choice(hub_people[0])} {rng.choice(hub_people[1])}",
        "org": partner.name if partner else "our organisation",
        "country": partner.country if partner else "Kenya",
        "region": partner.region if partner else "the field",
        "hub": (partner.hub.replace("-", " ").title() if partner else "regional"),
        "project_id": str(rng.randint(4000, 11999)),
    }


def product_details(
    rng: random.Random, report_fields: Sequence[dict[str, Any]], values: dict[str, str]
) -> dict[str, str]:
    """Fill the product's report fields the way people do: most of them, rarely all."""
    by_name = {
        "dashboard": (0.9, values["flow_instance"]),
        "folder": (0.8, values["folder"]),
        "survey": (0.95, values["survey"]),
        "assignment": (0.5, values["assignment"]),
        "device_id": (0.5, f"{values['device'].split()[0].lower()}-{rng.randint(1, 60):02d}"),
        "imei": (0.2, "35" + "".join(str(rng.randint(0, 9)) for _ in range(13))),
        "user_role": (0.8, rng.choice(RSR_ROLES)),
        "project": (0.95, values["project"]),
        "organisation": (0.7, values["org"]),
        "rsr_page": (0.6, f"/my-rsr/projects/{values['project_id']}/results"),
        "instance": (0.9, values["lumen_instance"]),
        "user": (0.5, values["colleague"]),
        "dataset": (0.95, values["dataset"]),
        "visualisation": (0.7, values["visualisation"]),
    }
    # Lumen's reports also have a "dashboard" field: there it means a Lumen dashboard.
    if any(f.get("name") == "instance" for f in report_fields):
        by_name["dashboard"] = (0.6, values["lumen_dashboard"])
    details = {}
    for report_field in report_fields:
        name = str(report_field.get("name", ""))
        chance, value = by_name.get(name, (0.0, ""))
        if rng.random() < chance:
            details[name] = value
    return details


def environment(rng: random.Random, uses: str, values: dict[str, str]) -> dict[str, str]:
    """Browser, device and app version, as a Contact Us form collects them."""
    if uses == "app":
        return {
            "device": values["device"],
            "os": values["android"],
            "app_version": f"Flow app {values['app_version']}",
        }
    env = {"browser": rng.choice(BROWSERS), "os": rng.choice(OPERATING_SYSTEMS)}
    if rng.random() < 0.15:
        env["screen"] = rng.choice(("1366x768", "1920x1080", "1280x800"))
    return env


# What people add to a subject to say which survey, project or dataset it is about.
SUBJECT_CONTEXT = {
    FLOW: ("{survey}", "{flow_instance}"),
    RSR: ("{project}",),
    LUMEN: ("{dataset}", "{lumen_dashboard}"),
    OTHER: ("{org}",),
}


def render_request(
    rng: random.Random, template: RequestTemplate, values: dict[str, str]
) -> dict[str, str]:
    """The template's texts; the subject as people write it, often naming what it is about."""
    text = template.render(values)
    subject = text["subject"]
    roll = rng.random()
    if roll < 0.35:
        context = rng.choice(SUBJECT_CONTEXT.get(template.product, ("{org}",)))
        subject = f"{subject} ({context.format_map(values)})"
    elif roll < 0.45:
        subject = f"{values['short']}: {subject}"
    elif roll < 0.5 and template.category == BUG:
        subject = f"Urgent: {subject}"
    text["subject"] = subject[:200]
    return text


# What L1 writes back. {first_name} is the requester's, {agent} signs.
SIGN_OFF = "\n\nBest regards,\n{agent}\nSupport team"
ACKNOWLEDGEMENTS = (
    "Hi {first_name},\n\nThank you for the report and for the steps to reproduce it. I can see "
    "the same behaviour on our side and I am looking into it now. I will update you here as "
    "soon as I know more.",
    "Hi {first_name},\n\nThanks for the clear description. We are checking the logs of your "
    "{product} instance and will come back to you today.",
    "Hello {first_name},\n\nThank you for getting in touch. I have reproduced the problem on our "
    "test environment and I am working out the cause with a colleague.",
)
ASK_FOR_DETAILS = {
    FLOW: "Hi {first_name},\n\nThank you for writing in. To find out what is going on, could you "
    "send us:\n\n- the device ID of one affected phone (Flow app > Settings > About),\n- a "
    "screenshot of the message you see,\n- whether all phones have the problem or only some?\n\n"
    "Please don't uninstall the app or clear its data meanwhile: unsent forms live only on the "
    "phones until they sync.",
    RSR: "Hi {first_name},\n\nThank you for writing in. Could you send us the link to the page "
    "where this happens, the email of the account that sees it, and a screenshot? Then we can "
    "look at exactly the same thing.",
    LUMEN: "Hi {first_name},\n\nThank you for writing in. Could you tell us the name of the "
    "dataset and the visualisation, send a screenshot of the visualisation's settings, and say "
    "roughly when the dataset was last updated?",
    OTHER: "Hi {first_name},\n\nThank you for your message. Could you tell us a little more: "
    "which product and account is this about, and who else in your organisation is involved?",
}
DETAILS_FROM_REQUESTER = {
    FLOW: "Hi,\n\nThe device ID is {device_id} and the screenshot is attached. It is only the "
    "phones we updated last week; the older ones still sync.\n\nThanks,\n{first_name}",
    RSR: "Hello,\n\nThe page is {rsr_page} and it happens with my own account and my "
    "colleague's. Screenshot attached.\n\nRegards,\n{first_name}",
    LUMEN: "Hi,\n\nThe dataset is “{dataset}”, the visualisation “{visualisation}”. I updated "
    "the dataset yesterday afternoon. Screenshot attached.\n\n{first_name}",
    OTHER: "Hello,\n\nIt is about our main account; my colleague {colleague} is in copy. "
    "Thanks for your help.\n\n{first_name}",
}
FEATURE_REPLY = (
    "Hi {first_name},\n\nThank you for the suggestion, and for explaining what it would save "
    "your team. I have passed it on to the {product} product team, who go through feature "
    "requests every month when they plan the next releases. I cannot promise a date, but we "
    "will let you know when it is picked up."
)
FIX_REPLY = (
    "Hi {first_name},\n\nGood news: {fix}\n\nCould you check on your side and tell us whether "
    "all is well again? If we don't hear from you, this ticket closes by itself in a week."
)
GENERIC_FIXES = (
    "the developers found the cause and the fix went out with release {release} this morning.",
    "it was a configuration problem on your instance, which we have corrected.",
    "the problem came from a change in last week's release; it has been reverted.",
)
ANSWER_REPLY = "Hi {first_name},\n\n{answer}\n\nDoes this answer your question?"
CHASERS = (
    "Hello, is there any news on this? Our team is waiting to continue.\n\n{first_name}",
    "Hi, just checking in: the field team starts again on Monday and this is blocking us.\n\n"
    "{first_name}",
)
THANKS = (
    "Thank you, it works again!\n\n{first_name}",
    "Confirmed on our side, everything looks right now. Many thanks.\n\n{first_name}",
    "Great, thanks for the quick help.\n\n{first_name}",
)
INTERNAL_NOTES = (
    "Partner has a donor report due at the end of the month: keep them posted.",
    "A similar report came from another partner last week; may be the same cause.",
    "Called {first_name} to confirm the details; the workaround is fine for them for now.",
    "Could not reproduce with a fresh account on the test instance; looks data-specific.",
    "Checked the server logs: the errors start right after Tuesday's deployment.",
    "Large partner, several teams affected. Flagged to the support manager.",
)
ESCALATION_NOTES = (
    "Reproduced on the test instance. Needs a code fix, so escalating to L2: filed as "
    "{repository}#{issue}.",
    "Escalating to L2: this needs a change on the server. GitHub issue {repository}#{issue} "
    "has the steps and the partner's details.",
)
L2_NOTES = (
    "Root cause found; the fix is in review in {repository}#{issue}.",
    "Confirmed the bug. Fix planned for release {release}.",
    "Reproduced with the partner's data on staging; working on it.",
)
L2_DONE_NOTES = (
    "Fixed in {repository}#{issue}, deployed with release {release}. L1, please inform the "
    "partner.",
    "Deployed the fix to production ({release}). Back to L1 to confirm with the partner.",
)


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else "there"
