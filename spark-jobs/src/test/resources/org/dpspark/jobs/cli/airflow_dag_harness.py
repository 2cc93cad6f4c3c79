# Runs examples/airflow/dpspark_dag.py against stand-ins for the few Airflow names it imports, then drives both
# tasks through every exit code; prints {case: outcome} as JSON. Airflow's own classes are not needed: the DAG's
# logic (which exception for which code) is what is exercised.
import json, os, stat, sys, tempfile, types

dag_path, work = sys.argv[1], sys.argv[2]

class AirflowException(Exception): pass
class AirflowFailException(AirflowException): pass
class AirflowSkipException(AirflowException): pass

class BaseOperator:
    template_fields = ()
    def __init__(self, *, task_id, retries=None, retry_delay=None, **kwargs):
        self.task_id, self.retries, self.kwargs = task_id, retries, kwargs
        DAG.tasks[task_id] = self
    def __rshift__(self, other):
        DAG.edges.append((self.task_id, other.task_id))
        return other

class PythonOperator(BaseOperator):
    def __init__(self, *, python_callable, **kwargs):
        super().__init__(**kwargs)
        self.python_callable = python_callable
    def execute(self, context):
        return self.python_callable()

SUBMIT = {}  # what the stand-in spark-submit does: write a status file with a code, and/or fail

class SparkSubmitOperator(BaseOperator):
    template_fields = ("_application_args",)
    def __init__(self, *, application, java_class, application_args, conn_id="spark_default", conf=None, **kwargs):
        super().__init__(**kwargs)
        self._application_args = application_args
    def execute(self, context):
        if SUBMIT.get("code") is not None:
            with open(self.status_file, "w", encoding="utf-8") as f:
                json.dump({"format_version": 1, "exit_code": SUBMIT["code"], "message": "dp-train: ..."}, f)
        if SUBMIT.get("submit_fails"):
            raise AirflowException("Cannot execute: spark-submit ... Error code is: 1.")

class DAG:
    tasks, edges = {}, []
    def __init__(self, **kwargs): self.kwargs = kwargs
    def __enter__(self): return self
    def __exit__(self, *exc): return False

def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m

module("airflow", DAG=DAG)
module("airflow.exceptions", AirflowException=AirflowException, AirflowFailException=AirflowFailException,
       AirflowSkipException=AirflowSkipException)
module("airflow.operators")
module("airflow.operators.python", PythonOperator=PythonOperator)
for name in ("airflow.providers", "airflow.providers.apache", "airflow.providers.apache.spark",
             "airflow.providers.apache.spark.operators"):
    module(name)
module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)

dag = types.ModuleType("dpspark_dag")
dag.__file__ = dag_path
exec(compile(open(dag_path, encoding="utf-8").read(), dag_path, "exec"), dag.__dict__)

def outcome(call):
    try:
        call()
        return "success"
    except AirflowSkipException:
        return "skip"
    except AirflowFailException:
        return "fail"
    except AirflowException:
        return "retry"

out = {}
check = DAG.tasks["dp_ledger_check"]
fake = os.path.join(work, "dp-ledger")
for code in (0, 1, 2, 3, 4, 7):
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho '{\"fits\": %s, \"message\": \"m\"}'\nexit %d\n" % ("true" if code == 0 else "false", code))
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    dag.DP_LEDGER = fake
    out["check %d" % code] = outcome(lambda: check.execute({}))

train = DAG.tasks["dp_train"]
for code in (0, 1, 2, 3, 4, 7, None):
    for fails in (False, True):
        train.status_file = os.path.join(work, "status-%s-%s.json" % (code, fails))
        SUBMIT.update(code=code, submit_fails=fails)
        out["train %s%s" % ("none" if code is None else code, " submit-failed" if fails else "")] = \
            outcome(lambda: train.execute({}))
out["status arg"] = train._application_args[-2:]
print(json.dumps(out))
