namespace Tessera.Sinks;

/// <summary>Where encoded pyramid tiles go. Implementations are thread-safe.</summary>
public interface ITileSink
{
    void Write(int level, int column, int row, ReadOnlySpan<byte> encoded);
}
