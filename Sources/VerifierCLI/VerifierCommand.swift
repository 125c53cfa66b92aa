/// Entry point placeholder replaced by the command implementation.
public enum VerifierCommand {
  public static func main() {}
}
