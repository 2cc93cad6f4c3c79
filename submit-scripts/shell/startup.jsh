// dp-shell's startup (submit-scripts/dp-shell runs it after jshell's DEFAULT imports): the Spark and dpspark packages
// a session needs, and a ready SparkSession `spark`. The master comes from dp-shell's --master (local[*] by default).
import org.apache.spark.sql.*;
import org.apache.spark.sql.types.*;
import static org.apache.spark.sql.functions.*;
import org.apache.spark.ml.*;
import org.apache.spark.ml.feature.*;
import org.apache.spark.ml.evaluation.*;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.dpspark.jobs.ml.*;
import org.dpspark.jobs.ledger.LedgerFrames;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.BudgetExhaustedException;

// One statement may span lines only where its line cannot end it (jshell reads a startup file as it reads input).
SparkSession spark = SparkSession.builder().appName("dp-shell").
        master(System.getProperty("dpspark.shell.master", "local[*]")).
        config("spark.ui.enabled", "false").
        getOrCreate();
spark.sparkContext().setLogLevel("WARN");
System.out.println("dp-shell: `spark` is ready (Spark " + spark.version() + ", master " +
        spark.sparkContext().master() + "; dpspark " + java.util.Objects.requireNonNullElse(
        DpLogisticRegression.class.getPackage().getImplementationVersion(), "dev") + "). /exit leaves.");
