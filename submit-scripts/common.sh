# Shared by the dpspark submit scripts (sourced, not run). Finds or builds the shaded jar and runs a main class
# under spark-submit (SPARK_HOME set) or on an embedded local Spark from the Maven-resolved classpath.

DPSPARK_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Spark's launcher JavaModuleOptions (Spark 4.1): needed by Spark and Arrow on Java 17.
DPSPARK_JAVA_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

dpspark_jar() {
  # Prints the shaded jar's path, or nothing when it is not built yet (no failing command: callers run under set -e).
  local f
  for f in "$DPSPARK_HOME"/spark-jobs/target/dpspark-jobs-*-shaded.jar; do
    if [ -f "$f" ]; then
      echo "$f"
      return 0
    fi
  done
  return 0
}

# Builds the jar (and the embedded classpath file) when either is absent. Maven resolves everything.
dpspark_ensure_built() {
  local jar
  jar="$(dpspark_jar)"
  if [ -z "$jar" ] || [ ! -f "$DPSPARK_HOME/spark-jobs/target/embedded-classpath.txt" ]; then
    echo "dpspark: building the jar (first run; Maven resolves the dependencies)..." >&2
    (cd "$DPSPARK_HOME" && mvn -q -B -DskipTests -pl spark-jobs -am package) >&2 || {
      echo "dpspark: build failed" >&2
      exit 1
    }
  fi
}

# dpspark_run MAIN_CLASS ARGS...: spark-submit when SPARK_HOME is set, else the embedded local Spark.
dpspark_run() {
  local main="$1"
  shift
  dpspark_ensure_built
  local jar
  jar="$(dpspark_jar)"
  if [ -n "${SPARK_HOME:-}" ]; then
    # Pass --master through to spark-submit too, so cluster managers launch executors the right way.
    local master=() prev=""
    for a in "$@"; do
      if [ "$prev" = "--master" ]; then master=(--master "$a"); fi
      case "$a" in --master=*) master=(--master "${a#--master=}") ;; esac
      prev="$a"
    done
    exec "$SPARK_HOME/bin/spark-submit" "${master[@]}" --class "$main" ${DPSPARK_SUBMIT_OPTS:-} "$jar" "$@"
  fi
  local cp
  cp="$jar:$(cat "$DPSPARK_HOME/spark-jobs/target/embedded-classpath.txt")"
  # A standalone master (e.g. dp-local-cluster) with the embedded driver: ship the app jar to the executors,
  # and give their JVMs the same --add-opens.
  local cluster=()
  case " $* " in
    *" spark://"* | *"--master=spark://"*)
      cluster=(-Dspark.jars="$jar" "-Dspark.executor.extraJavaOptions=${DPSPARK_JAVA_OPENS[*]}") ;;
  esac
  # Heap: DPSPARK_DRIVER_MEMORY, or half the machine's memory (the embedded driver is the whole local Spark; image
  # features such as scatter:2,8 hold 3,969 doubles a row, 1.9 GB for MNIST's 60,000, twice that while packing).
  local heap=(-XX:MaxRAMPercentage=50)
  if [ -n "${DPSPARK_DRIVER_MEMORY:-}" ]; then heap=(-Xmx"$DPSPARK_DRIVER_MEMORY"); fi
  local cds=() archive
  archive="$(dpspark_cds_archive "$cp")"
  if [ -n "$archive" ] && [ -f "$archive" ]; then
    cds=(-XX:SharedArchiveFile="$archive" -Xlog:cds=off,cds+dynamic=off)
  elif [ -n "$archive" ]; then
    # First run on this build: record the classes it loads, written at exit beside the jar (renamed into place so
    # that a concurrent run never maps half a file). Not exec'd, to rename after it.
    echo "dpspark: recording a class-data archive for faster start-ups (once per build; DPSPARK_CDS=0 skips it)" >&2
    local tmp="$archive.tmp.$$" rc=0
    java "${DPSPARK_JAVA_OPENS[@]}" "${heap[@]}" -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off,cds+dynamic=off \
      -Dlog4j2.configurationFile=org/dpspark/jobs/log4j2-dpspark.properties \
      "${cluster[@]}" ${DPSPARK_JAVA_OPTS:-} -cp "$cp" "$main" "$@" || rc=$?
    if [ -s "$tmp" ]; then mv -f "$tmp" "$archive"; else rm -f "$tmp"; fi
    exit "$rc"
  fi
  exec java "${DPSPARK_JAVA_OPENS[@]}" "${heap[@]}" "${cds[@]}" \
    -Dlog4j2.configurationFile=org/dpspark/jobs/log4j2-dpspark.properties \
    "${cluster[@]}" ${DPSPARK_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}

# dpspark_cds_archive CLASSPATH: the path of the AppCDS archive (JDK 13+ dynamic class-data sharing) of the embedded
# runner for this classpath, this build of the jar and this JVM, under spark-jobs/target/cds (older ones there are
# removed); nothing when DPSPARK_CDS=0. Mapping the archive saves loading and verifying Spark's classes again at
# every start (docs/benchmarks.md, "Time to first step"); the JVM checks the archive against the classpath itself
# and runs without it when they differ.
dpspark_cds_archive() {
  [ "${DPSPARK_CDS:-1}" = 1 ] || return 0
  local cp="$1" dir="$DPSPARK_HOME/spark-jobs/target/cds" java_bin key f
  java_bin="$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)"
  key="$({ echo "$cp"; echo "$java_bin"; stat -c '%s %Y' "$java_bin" "$(dpspark_jar)"; } | sha256sum | cut -c1-16)"
  mkdir -p "$dir" 2>/dev/null || return 0
  for f in "$dir"/dpspark-*.jsa; do
    [ -e "$f" ] && [ "$f" != "$dir/dpspark-$key.jsa" ] && rm -f "$f"
  done
  echo "$dir/dpspark-$key.jsa"
}

# dpspark_run_java MAIN_CLASS ARGS...: plain java on the jar + embedded classpath, no spark-submit (for commands that
# need no SparkSession, such as dp-ledger). Honors HADOOP_CONF_DIR (for hdfs:// ledgers) and DPSPARK_JAVA_OPTS.
dpspark_run_java() {
  local main="$1"
  shift
  dpspark_ensure_built
  local cp
  cp="$(dpspark_jar):$(cat "$DPSPARK_HOME/spark-jobs/target/embedded-classpath.txt")"
  if [ -n "${HADOOP_CONF_DIR:-}" ]; then cp="$HADOOP_CONF_DIR:$cp"; fi
  exec java -Xmx"${DPSPARK_LEDGER_MEMORY:-512m}" \
    -Dlog4j2.configurationFile=org/dpspark/jobs/log4j2-dpspark.properties \
    ${DPSPARK_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}

# dpspark_java MAIN_CLASS ARGS...: plain java on the jar and the embedded classpath, no Spark started (for tools
# such as dp-privacy that only compute). Heap: DPSPARK_TOOL_MEMORY (default 1g).
dpspark_java() {
  local main="$1"
  shift
  dpspark_ensure_built
  local jar cp
  jar="$(dpspark_jar)"
  cp="$jar:$(cat "$DPSPARK_HOME/spark-jobs/target/embedded-classpath.txt")"
  exec java -Xmx"${DPSPARK_TOOL_MEMORY:-1g}" ${DPSPARK_JAVA_OPTS:-} \
    -cp "$cp" "$main" "$@"
}
