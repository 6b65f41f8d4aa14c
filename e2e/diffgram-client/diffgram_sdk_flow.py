"""A client's-eye stand-in for the Diffgram Python SDK (0.15.0), request for request.

The real SDK cannot be installed on the test machine, so this sends what it sends, in the order it
sends it, as ../shared/docs/diffgram-api.md records: one `requests.Session` with the key as HTTP
Basic auth (sent up front), a `directory_id` header once the default directory is known, JSON
bodies, URLs as `host + "/api/..."` with nothing normalised, no timeout, no retries, and the SDK's
mapping of statuses to Python exceptions. Its objects are mirrored only as far as the export flow
reads them.

`main` runs the snippets of the seed's "Export Generation through SDK" section in order against a
running annex, plus two calls that must fail the SDK's way, and prints one JSON summary line on
stdout. Anything unexpected exits non-zero with the error on stderr.

    python3 diffgram_sdk_flow.py --host http://127.0.0.1:8080/ --project demo \\
        --client-id annex_... --client-secret ... --job-id 1 --directory Luckfrill
"""

import argparse
import json
import os
import sys
import time

import requests

# The SDK's `file/list` page size and the body keys it sends with every page.
FILE_LIST_LIMIT = 5000


class Project:
    """`diffgram.Project`: the session, the default directory and the label map, made at init."""

    def __init__(self, project_string_id, client_id=None, client_secret=None, host=None):
        self.project_string_id = project_string_id
        self.host = host
        self.client_id = client_id
        self.client_secret = client_secret
        self.session = requests.Session()
        # Without both halves the SDK sends no Authorization header at all.
        if client_id and client_secret:
            self.session.auth = (client_id, client_secret)
        self.directory_id = None
        self.job = JobConstructor(self)
        self.directory = DirectoryConstructor(self)
        self.export = ExportConstructor(self)

        # Calls 1-3: the default directory and its file ids (checked with file/exists).
        self.default_directory = self.directory.default()
        self.directory_id = self.default_directory.id
        # Every later call carries the default directory in a header, underscore and all.
        self.session.headers.update({"directory_id": str(self.directory_id)})

        self.name_to_file_id = self.get_label_file_dict()
        self.label_schema_list = self.get_label_schema_list()

    def url(self, path):
        # No normalising: host "http://x/" gives "http://x//api/...", as the SDK sends it.
        return self.host + path

    def handle_errors(self, response):
        """The SDK's status → exception mapping, called after every request, before `.json()`."""
        if response.status_code == 200:
            return
        if response.status_code == 400:
            raise Exception(response.text)
        if response.status_code == 403:
            raise Exception("Invalid Permission", response.text)
        if response.status_code == 404:
            raise Exception("404 Not Found" + response.text)
        if response.status_code == 429:
            raise Exception(
                "Rate Limited. Please add buffer between calls eg time.sleep(1). Otherwise, "
                "please try again later. Else contact us if this persists."
            )
        if response.status_code == 500:
            raise Exception("Internal server error: " + str(response))
        response.raise_for_status()

    def get_label_file_dict(self):
        path = f"/api/v1/project/{self.project_string_id}/labels/view/name_to_file_id"
        response = self.session.get(self.url(path))
        self.handle_errors(response)
        return response.json()["name_to_file_id"]

    def get_label_schema_list(self):
        path = f"/api/v1/project/{self.project_string_id}/labels-schema"
        response = self.session.get(self.url(path))
        self.handle_errors(response)
        return response.json()


class Directory:
    """`diffgram.Directory`: a working dir's keys copied on, and its file ids."""

    def __init__(self, client, working_dir):
        self.client = client
        for key, value in working_dir.items():
            setattr(self, key, value)
        self.id = working_dir["directory_id"]
        self.file_id_list = []

    def list_files(self, page_num):
        path = f"/api/project/{self.client.project_string_id}/user/sdk/file/list"
        body = {
            "metadata": {
                "directory_id": self.id,
                "annotations_are_machine_made_setting": "All",
                "annotation_status": "All",
                "limit": FILE_LIST_LIMIT,
                "media_type": "All",
                "page": page_num,
                "file_view_mode": "ids_only",
                "search_term": None,
                "query": None,
            }
        }
        response = self.client.session.post(self.client.url(path), json=body)
        self.client.handle_errors(response)
        data = response.json()
        return data["file_list"], data["metadata"]

    def all_file_ids(self):
        ids, metadata = self.list_files(1)
        # The SDK fetches the remaining pages in parallel; in order here, the same requests.
        if metadata["next_page"] is not None:
            for page_num in range(metadata["next_page"], metadata["total_pages"] + 1):
                ids = ids + self.list_files(page_num)[0]
        return ids

    def check_file_ids_exist(self):
        # A plain `requests.post` with the key but not the session's `directory_id` header.
        path = f"/api/v1/project/{self.client.project_string_id}/file/exists"
        response = requests.post(
            self.client.url(path),
            json={"file_id_list": self.file_id_list},
            auth=(self.client.client_id, self.client.client_secret),
        )
        self.client.handle_errors(response)
        if not response.json()["result"]["exists"]:
            raise Exception("Some file IDs do not belong to the project")


class DirectoryConstructor:
    """`project.directory`."""

    def __init__(self, client):
        self.client = client

    def view(self, name=None):
        """The working dir by name, or the project's default one."""
        path = f"/api/project/{self.client.project_string_id}/user/legacy/working_dir/view"
        params = None if name is None else {"name": name}
        response = self.client.session.get(self.client.url(path), params=params)
        self.client.handle_errors(response)
        return Directory(self.client, response.json()["working_dir"])

    def default(self):
        """What `Project(...)` does first: the default directory, its ids, checked to exist."""
        directory = self.view()
        directory.file_id_list = directory.all_file_ids()
        if len(directory.file_id_list) > 0:
            directory.check_file_ids_exist()
        return directory

    def get(self, name):
        """`project.directory.get(name=...)`: the default one is known, another is looked up."""
        default = self.client.default_directory
        directory = default if name == default.nickname else self.view(name)
        directory.file_id_list = directory.all_file_ids()
        return directory


class Job:
    """`diffgram.Job`: the `job` keys of `builder/info` copied on."""

    def __init__(self, client, job_id):
        self.client = client
        self.id = job_id

    def refresh_info(self, mode_data=None):
        path = f"/api/v1/job/{self.id}/builder/info"
        response = self.client.session.post(self.client.url(path), json={"mode_data": mode_data})
        self.client.handle_errors(response)
        for key, value in response.json()["job"].items():
            setattr(self, key, value)

    def generate_export(
        self,
        kind="Annotations",
        return_type="data",
        wait_for_export_generation=True,
        ann_is_complete=None,
        source="job",
        directory_id=None,
    ):
        """`job.generate_export(...)`: the file, a URL string, or an Export when not waiting."""
        path = f"/api/walrus/project/{self.client.project_string_id}/export/to_file"
        body = {
            "job_id": self.id,
            "kind": kind,
            "source": source,
            "file_comparison_mode": "latest",
            "directory_id": directory_id,
            "masks": False,
            "ann_is_complete": ann_is_complete,
            "return_type": return_type,
            "wait_for_export_generation": wait_for_export_generation,
        }
        response = self.client.session.post(self.client.url(path), json=body)
        self.client.handle_errors(response)
        data = response.json()
        if wait_for_export_generation is False:
            return self.client.export.new(data.get("export"))
        return data


class JobConstructor(Job):
    """`project.job`: a Job with no id, whose `generate_export(source="directory")` needs none."""

    def __init__(self, client):
        super().__init__(client, None)

    def get_by_id(self, id):
        job = Job(self.client, id)
        job.refresh_info()
        return job


class Export:
    """`diffgram.Export`: an export record's keys copied on."""

    def __init__(self, client, export_dict):
        self.client = client
        for key, value in export_dict.items():
            setattr(self, key, value)

    def access_data(self, return_type="url", format="JSON"):
        path = f"/api/walrus/project/{self.client.project_string_id}/export/link"
        body = {"id": self.id, "return_type": return_type, "format": format}
        response = self.client.session.post(self.client.url(path), json=body)
        self.client.handle_errors(response)
        return response.json()


class ExportConstructor:
    """`project.export`."""

    def __init__(self, client):
        self.client = client

    def new(self, export_dict):
        return Export(self.client, export_dict)

    def list(self):
        path = f"/api/walrus/project/{self.client.project_string_id}/export/working_dir/list"
        response = self.client.session.get(self.client.url(path))
        self.client.handle_errors(response)
        return [self.new(item) for item in response.json()["export_list"]]


def file_packet_count(data):
    """File packets in a Diffgram JSON export: every top-level key that is a file id."""
    return sum(1 for key in data if key.isdigit())


def export_id_of(data):
    return data["export_info"]["id"]


def error_text(call):
    """The exception a call that must fail raises, as its args; fails when it does not raise."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the SDK raises bare Exceptions
        return [str(arg) for arg in error.args]
    raise RuntimeError("the call was expected to fail, and did not")


def access_when_ready(export, return_type):
    """The seed's non-blocking snippet: ask at once, and after `time.sleep(2)` while not ready."""
    not_ready = []
    for _ in range(30):
        try:
            return export.access_data(return_type=return_type), not_ready
        except Exception as error:  # noqa: BLE001 - the SDK raises bare Exceptions
            if error.args != ("Export not ready yet",):
                raise
            not_ready.append(error.args[0])
            time.sleep(2)
    raise RuntimeError(f"export {export.id} was still not ready after a minute")


def run(args):
    project = Project(
        project_string_id=args.project,
        client_id=args.client_id,
        client_secret=args.client_secret,
        host=args.host,
    )

    # From a job: the data.
    job = project.job.get_by_id(id=args.job_id)
    data = job.generate_export()

    # Return URL.
    url = job.generate_export(return_type="url")

    # Without blocking, then access_data(return_type="url") once ready.
    queued = job.generate_export(wait_for_export_generation=False)
    queued_url, not_ready = access_when_ready(queued, "url")
    queued_data = queued.access_data(return_type="data")

    # A directory, as the SDK exports one: by id, through project.job.
    directory = project.directory.get(name=args.directory)
    directory_data = project.job.generate_export(source="directory", directory_id=directory.id)

    # Access existing exports.
    export_list = project.export.list()
    newest = export_list[0]
    time.sleep(2)
    newest_url = newest.access_data(return_type="url")

    # What a person gets wrong, as the SDK shows it.
    wrong_secret = error_text(
        lambda: Project(args.project, args.client_id, args.client_secret + "-wrong", args.host)
    )
    unknown_directory = error_text(lambda: project.directory.get(name=args.unknown_directory))

    return {
        "project": args.project,
        "default_directory": {
            "id": project.default_directory.id,
            "nickname": project.default_directory.nickname,
            "file_ids": len(project.default_directory.file_id_list),
        },
        "labels": len(project.name_to_file_id),
        "label_schemas": len(project.label_schema_list),
        "job": {"id": job.id, "name": job.name, "status": job.status},
        "job_data": {"export_id": export_id_of(data), "file_packets": file_packet_count(data)},
        "job_url": url,
        "queued": {
            "export_id": queued.id,
            "status": queued.status,
            "not_ready_seen": not_ready,
            "url": queued_url,
            "file_packets": file_packet_count(queued_data),
        },
        "directory": {
            "id": directory.id,
            "nickname": directory.nickname,
            "file_ids": len(directory.file_id_list),
            "export_id": export_id_of(directory_data),
            "file_packets": file_packet_count(directory_data),
        },
        "export_list": {
            "length": len(export_list),
            "ids": [item.id for item in export_list],
            "created_by": {str(item.id): item.created_by for item in export_list},
            "newest_id": newest.id,
            "newest_url": newest_url,
        },
        "errors": {"wrong_secret": wrong_secret, "unknown_directory": unknown_directory},
    }


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default=env("DIFFGRAM_HOST", "http://127.0.0.1:8080/"))
    parser.add_argument("--project", default=env("DIFFGRAM_PROJECT", "demo"))
    parser.add_argument("--client-id", default=env("DIFFGRAM_CLIENT_ID"))
    parser.add_argument("--client-secret", default=env("DIFFGRAM_CLIENT_SECRET"))
    parser.add_argument("--job-id", type=int, default=int(env("DIFFGRAM_JOB_ID", "1")))
    parser.add_argument("--directory", default=env("DIFFGRAM_DIRECTORY", "Luckfrill"))
    parser.add_argument("--unknown-directory", default="No such directory (Diffgram SDK flow)")
    args = parser.parse_args(argv)
    if not args.client_id or not args.client_secret:
        parser.error("an API key is needed: --client-id and --client-secret")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        summary = run(args)
    except Exception as error:  # noqa: BLE001 - report whatever broke, then fail
        print(f"diffgram_sdk_flow: {type(error).__name__}: {error!r}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
