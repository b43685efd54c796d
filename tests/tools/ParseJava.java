// Parses Java source files without compiling them: syntax errors only, so samples that
// import libraries this machine does not have (Spring) can still be checked.
// Usage: java ParseJava.java File.java... (exit 1 and the errors when one does not parse)

import com.sun.source.util.JavacTask;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public class ParseJava {
    public static void main(String[] args) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            JavacTask task = (JavacTask) compiler.getTask(
                null, files, diagnostics, null, null, files.getJavaFileObjects(args));
            task.parse();
        }
        int errors = 0;
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors++;
                System.out.printf("%s:%d: %s%n", d.getSource().getName(), d.getLineNumber(),
                    d.getMessage(Locale.ROOT));
            }
        }
        System.exit(errors == 0 ? 0 : 1);
    }
}
