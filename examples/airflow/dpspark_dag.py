"""dpspark on Airflow: check the privacy budget, then train with DP, charged once per DAG run.

Two tasks, in this order:

1. ``dp_ledger_check`` (PythonOperator): ``dp-ledger check`` asks the ledger whether the dataset's budget can pay
   for the planned job, writing nothing. It needs no Spark: plain Java on the Airflow worker.
2. ``dp_train`` (``DpTrainSubmitOperator``, a SparkSubmitOperator): ``dp-train`` under spark-submit, with
   ``--job-id {{ run_id }}``: every retry and every clear of the same DAG run uses the same job id, and the ledger
   charges a job id once (a second commit of it is refused with exit 4 before any data is read).

How exit codes become task states (org.dpspark.jobs.cli.ExitCode; the same for both tasks):

    0 success            the task succeeds
    1 failure            AirflowException: Airflow's retries apply (I/O, Spark, a lost executor...)
    2 bad input          AirflowFailException: fails now, never retried (a flag, the spec or the data is wrong;
                         nothing written, no budget spent; retrying cannot help)
    3 budget exhausted   AirflowSkipException: the task, and the training after a refused check, are skipped;
                         nothing trained, nothing charged: the data owner must raise the budget
    4 ledger conflict    AirflowFailException: this job id already committed (the run was charged already), or a
                         registration contradicts the ledger; a person looks (dp-ledger history)
    other                as 1

Why not the stock SparkSubmitOperator alone: it raises the same AirflowException for every non-zero exit of
spark-submit, without the code, so Airflow would retry bad input and treat an exhausted budget as a failure. And in
cluster deploy mode spark-submit's exit code is not the driver's at all (standalone: 0 even when the driver exited
2). dp-train therefore writes its outcome to ``--status-file`` for every exit (atomically, on any Hadoop file
system); ``DpTrainSubmitOperator`` runs the stock submit, then reads that file and raises what the table above says.
The file's path carries the try number, so a missing file means this attempt's driver never ran (retried), never a
previous attempt's outcome. The check task has no such problem (it runs locally), so it is a plain subprocess call.

Set up on the workers: Java 17, the shaded jar (``mvn -DskipTests package``: spark-jobs/target/
dpspark-jobs-<version>-shaded.jar) and submit-scripts/ (for dp-ledger), a ``spark_default`` connection, and the
ledger on a file system that the workers and the Spark driver both reach (HDFS below). Needs
apache-airflow-providers-apache-spark, and apache-airflow-providers-apache-hdfs to read an hdfs:// status file.
"""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException, AirflowSkipException
from airflow.operators.python import PythonOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

DPSPARK_JAR = "/opt/dpspark/dpspark-jobs-0.1.0-SNAPSHOT-shaded.jar"
DP_LEDGER = "/opt/dpspark/submit-scripts/dp-ledger"
LEDGER = "hdfs:///dpspark/ledger"
DATASET_ID = "adult"
ROWS = 32561  # the dataset's public row count, for the check's plan (q = B / N, T = E * N / B)

# The job, shared by the check and the training so that the check plans the job that will be reserved.
EPSILON, DELTA, EPOCHS, BATCH_SIZE = "1", "1e-5", "15", "256"

# Exit code -> reaction: the contract with dpspark's ExitCode (tested by AirflowDagContractTest in the dpspark repo).
EXIT_CODE_REACTIONS = {0: "success", 1: "retry", 2: "fail", 3: "skip", 4: "fail"}


def react(code: int, message: str) -> None:
    """Raises what the exit code means for the task (nothing for success); an unknown code is a failure, retried."""
    reaction = EXIT_CODE_REACTIONS.get(code, "retry")
    if reaction == "success":
        return
    if reaction == "skip":
        raise AirflowSkipException(f"privacy budget exhausted (exit {code}): {message}")
    if reaction == "fail":
        raise AirflowFailException(f"not retried (exit {code}): {message}")
    raise AirflowException(f"failed (exit {code}), Airflow may retry: {message}")


def check_budget() -> dict:
    """dp-ledger check: would the job fit the dataset's budget now? Reserves nothing."""
    p = subprocess.run(
        [DP_LEDGER, "check", "--ledger", LEDGER, "--dataset-id", DATASET_ID, "--rows", str(ROWS),
         "--batch-size", BATCH_SIZE, "--epochs", EPOCHS, "--epsilon", EPSILON, "--delta", DELTA, "--json"],
        capture_output=True, text=True, timeout=600)
    try:
        answer = json.loads(p.stdout)  # fits, spent_epsilon, job_epsilon, spent_epsilon_with_job... (XCom)
    except ValueError:
        answer = {}
    # an error (exit 1, 2) is one line on stderr; a refusal (exit 3) is the JSON answer's message
    react(p.returncode, answer.get("message") or p.stderr.strip() or p.stdout.strip())
    return answer


def read_status(path: str) -> dict | None:
    """dp-train's --status-file, or None when absent (the attempt's driver never ran)."""
    if path.startswith("hdfs://"):
        from airflow.providers.apache.hdfs.hooks.webhdfs import WebHDFSHook

        client = WebHDFSHook().get_conn()
        local = path[len("hdfs://"):]
        local = local[local.index("/"):]  # drop the authority, if any
        if client.status(local, strict=False) is None:
            return None
        with client.read(local, encoding="utf-8") as f:
            return json.load(f)
    local = path[len("file://"):] if path.startswith("file://") else path
    try:
        with open(local, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


class DpTrainSubmitOperator(SparkSubmitOperator):
    """A SparkSubmitOperator for dp-train (or dp-tune): its task state follows dp-train's exit code, read from the
    --status-file it adds to the application's arguments (one file per try)."""

    template_fields = (*SparkSubmitOperator.template_fields, "status_file")

    def __init__(self, *, status_file: str, application_args: list[str], **kwargs):
        super().__init__(application_args=[*application_args, "--status-file", status_file], **kwargs)
        self.status_file = status_file

    def execute(self, context):
        try:
            super().execute(context)
        except AirflowException:
            status = read_status(self.status_file)
            if status is None:
                raise  # the driver never wrote its outcome: a failure, retried
        else:
            status = read_status(self.status_file)
            if status is None:
                raise AirflowException(f"spark-submit returned but {self.status_file} is absent: the driver did "
                                       "not finish")
        if status.get("format_version") != 1:
            raise AirflowFailException(f"unknown --status-file format: {status.get('format_version')}")
        react(int(status["exit_code"]), status.get("message", ""))
        return status  # epsilon, delta, dataset_id, ledger_commit_seq, model_path (XCom)


with DAG(
    dag_id="dpspark_train_adult",
    start_date=datetime(2026, 12, 1),
    schedule="@weekly",
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["dpspark", "differential-privacy"],
) as dag:
    check = PythonOperator(task_id="dp_ledger_check", python_callable=check_budget, retries=2)

    train = DpTrainSubmitOperator(
        task_id="dp_train",
        application=DPSPARK_JAR,
        java_class="org.dpspark.jobs.cli.DpTrain",
        conn_id="spark_default",
        conf={
            "spark.authenticate": "true",
            "spark.network.crypto.enabled": "true",
            "spark.io.encryption.enabled": "true",
            # cluster deploy mode on standalone: wait for the driver, whose outcome the status file holds
            "spark.standalone.submit.waitAppCompletion": "true",
        },
        application_args=[
            "--input", "hdfs:///data/adult/adult.data", "--format", "adult",
            "--epsilon", EPSILON, "--delta", DELTA, "--epochs", EPOCHS, "--batch-size", BATCH_SIZE,
            "--ledger", LEDGER, "--dataset-id", DATASET_ID,
            "--job-id", "{{ run_id }}",
            "--output", "hdfs:///models/adult-dp/{{ ds_nodash }}",
        ],
        status_file="hdfs:///dpspark/status/{{ dag.dag_id }}/{{ run_id }}-try{{ ti.try_number }}.json",
        retries=3,
        retry_delay=timedelta(minutes=10),
    )

    check >> train
