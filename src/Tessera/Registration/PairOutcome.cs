namespace Tessera.Registration;

/// <summary>What became of one neighbour pair.</summary>
public enum PairOutcome
{
    /// <summary>Measured, inside the stage model and kept by the global solve.</summary>
    Measured,

    /// <summary>
    /// Below the significance bar but the best pair between two groups of tiles that no significant
    /// pair joins: used, as the only measurement there is, rather than the stage model.
    /// </summary>
    Bridged,

    /// <summary>One of the two overlap strips has no texture at all (blank or black); the stage model's offset was used.</summary>
    Blank,

    /// <summary>
    /// The best match scores no better than strips that do not overlap score on this tile set
    /// (textureless, or no true overlap); the model's offset was used.
    /// </summary>
    LowCorrelation,

    /// <summary>Measured, but further from the stage model than its repeatability allows; the model's offset was used.</summary>
    OutsideStageModel,

    /// <summary>Measured, but disagreed with the global solution of all other pairs; dropped by the solve.</summary>
    RemovedBySolve,

    /// <summary>
    /// Two or more distinct matches score alike (a repetitive pattern): which is the true one cannot
    /// be told from the pair, so the model's offset was used rather than risk a wrong period.
    /// </summary>
    Ambiguous,

    /// <summary>
    /// Not significant in the first pass, accepted by the second (<see cref="SecondPass"/>): its best
    /// match within a few pixels of the shift its neighbours' accepted links predict beats what
    /// unrelated strips reach in a box that size. Used like a measured pair.
    /// </summary>
    Confirmed,
}
