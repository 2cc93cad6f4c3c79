package org.dpspark.accountant.ledger;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;

/**
 * A separate JVM for {@link LedgerConcurrencyTest}: reads commands from stdin, one per line,
 * {@code reserve <ledger> <dataset> <job> <q> <sigma> <steps> <delta>} or
 * {@code commit <ledger> <dataset> <job> <q> <sigma> <steps> <delta> <epsilon>}, and answers on stdout
 * {@code OK <job> <seq>}, {@code REFUSED <job> <message>} or {@code ERROR <job> <exception>}; {@code quit} ends it.
 */
public final class ReserveWorker {
    private ReserveWorker() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] a = line.split(" ");
            String job = a[3];
            try {
                PrivacyLedger ledger = PrivacyLedger.builder(a[1]).user("worker").codeVersion("test")
                        .accountant(RdpAccountant::new).build(); // the protocol is under test, not the accountant
                List<DpEvent> events = List.of(new DpEvent(Double.parseDouble(a[4]), Double.parseDouble(a[5]),
                        Long.parseLong(a[6])));
                double delta = Double.parseDouble(a[7]);
                if (a[0].equals("commit")) {
                    LedgerEntry c = ledger.commit(a[2], job, events, Double.parseDouble(a[8]), delta, "file:/m/" + job);
                    System.out.println("OK " + job + " " + c.seq());
                } else {
                    Admission ad = ledger.reserve(a[2], job, "sha256:concurrency", events, delta);
                    System.out.println("OK " + job + " " + ad.reservation().seq());
                }
            } catch (BudgetExhaustedException e) {
                System.out.println("REFUSED " + job + " " + e.getMessage());
            } catch (RuntimeException e) {
                System.out.println("ERROR " + job + " " + e.toString().replace('\n', ' '));
            }
            System.out.flush();
        }
    }
}
