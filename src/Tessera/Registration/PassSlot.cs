namespace Tessera.Registration;

/// <summary>
/// One read of a grid cell by the pass. Within its band, the slot west of this one is the slot
/// before it and the slot north of it lies <see cref="Across"/> slots before it.
/// </summary>
/// <param name="Cell">The grid cell, row-major.</param>
/// <param name="Row">The cell's grid row.</param>
/// <param name="Column">Its column within the band's row, from 0.</param>
/// <param name="Across">Slots a row of the band spans.</param>
/// <param name="Repeat">The band's first column, read again: the cell is here only for its east strip; its other pairs belong to the band before.</param>
internal readonly record struct PassSlot(int Cell, int Row, int Column, int Across, bool Repeat);
