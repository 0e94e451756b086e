using System;

namespace Mote.Runtime
{
    /// <summary>
    /// The arena passed to <see cref="Interpreter(Model, byte[])"/> is shorter than the model's plan
    /// (<see cref="Model.ArenaBytes"/>, from the blob header). Thrown by the constructor, before any
    /// operator runs; the message names both sizes. An <see cref="ArgumentException"/> (parameter
    /// "arena"): the blob is fine, the caller's buffer is not.
    /// </summary>
    public class ArenaTooSmallException : ArgumentException
    {
        /// <summary>Bytes the model's plan needs (<see cref="Model.ArenaBytes"/>).</summary>
        public int NeededBytes { get; private set; }

        /// <summary>Length of the arena that was passed.</summary>
        public int GivenBytes { get; private set; }

        public ArenaTooSmallException(int neededBytes, int givenBytes)
            : base("the arena has " + givenBytes + " bytes but this model's plan needs " + neededBytes
                + " (Model.ArenaBytes, from the blob header); pass an arena of at least " + neededBytes
                + " bytes, or none to have the interpreter allocate it", "arena")
        {
            NeededBytes = neededBytes;
            GivenBytes = givenBytes;
        }
    }
}
