namespace Tessera.Cli;

/// <summary>Turns the engine's user-facing errors into one line on standard error and a non-zero exit code.</summary>
internal static class Errors
{
    public const int InputError = 1;

    /// <summary>A bug in Tessera rather than a problem with the input (EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (TesseraException e)
        {
            Console.Error.WriteLine($"tessera: error: {RequestOptionNames.Message(e)}");
            return InputError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"tessera: internal error (please report it with the lines below): {e}");
            return InternalError;
        }
    }
}
