// Engine-agreement oracle for request lines (issue 12, item 7): an embedded Tomcat 9 with
// RESTEasy 3.0's HttpServlet30Dispatcher, mapped as Camunda 7's engine-rest web application is
// (context path `/engine-rest`, servlet mapping `/*`, `javax.ws.rs.Application` init parameter:
// camunda-bpm-platform engine-rest/assembly/src/main/runtime/tomcat/webapp/WEB-INF/web.xml),
// with resources laid out like Camunda's (RestResources). Each request that reaches a resource
// method is answered with one JSON line saying what the engine would have run; see RestReport.
//
// Usage: java RestOracle PORT   (0 = any free port). Listens on 127.0.0.1 only, prints
// `PORT <n>` on standard output when ready, and stops when standard input closes (or after a
// watchdog delay, so a lost parent never leaves it running).

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;

public class RestOracle {

  /** The longest the oracle runs, whatever its parent does. */
  private static final long WATCHDOG_MILLIS = 300_000;

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Logger.getLogger("").setLevel(Level.SEVERE);
    for (java.util.logging.Handler h : Logger.getLogger("").getHandlers()) {
      h.setLevel(Level.SEVERE);
    }

    File base = Files.createTempDirectory("rest-oracle").toFile();
    base.deleteOnExit();
    File docs = new File(base, "docs");
    docs.mkdirs();

    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    // Camunda's Tomcat distribution: a plain HTTP/1.1 connector with default settings
    // (distro/tomcat/assembly/src/conf/server.xml), here bound to loopback only.
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);

    Context ctx = tomcat.addContext("/engine-rest", docs.getAbsolutePath());
    Wrapper servlet = Tomcat.addServlet(ctx, "Resteasy", new HttpServlet30Dispatcher());
    servlet.addInitParameter("javax.ws.rs.Application", RestApp.class.getName());
    servlet.setAsyncSupported(true);
    ctx.addServletMappingDecoded("/*", "Resteasy");
    // Camunda's web.xml has no load-on-startup: the servlet starts on the first request.
    // Starting it here keeps the first case's timing like the others.
    servlet.setLoadOnStartup(1);

    tomcat.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();

    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(WATCHDOG_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("RestOracle: watchdog expired, exiting");
      Runtime.getRuntime().halt(3);
    });
    watchdog.setDaemon(true);
    watchdog.start();

    InputStream in = System.in;
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      // Keep reading until the parent closes standard input.
    }
    Runtime.getRuntime().halt(0);
  }
}
