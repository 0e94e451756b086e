// Second test input: findings must name this file, not Violations.cs.
namespace Fixtures
{
    public static class MoreViolations
    {
        public static int UsesGrid()
        {
            var grid = new int[2, 3]; // expect: multidimensional array int[,]
            grid[1, 2] = 5;
            return grid[1, 2];
        }

        public static T Identity<T>(T value) // expect: generic method definition Fixtures.MoreViolations.Identity<T>
        {
            return value;
        }

        public static int CallsIdentity()
        {
            return Identity(3); // expect: generic method instantiation Fixtures.MoreViolations.Identity<int>
        }
    }

    public sealed class Box<T> // expect: generic type definition Fixtures.Box<T>
    {
        public T Value;
    }
}
