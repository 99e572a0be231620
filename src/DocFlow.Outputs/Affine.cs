namespace DocFlow.Outputs;

/// <summary>x' = A x + B y + C, y' = D x + E y + F.</summary>
internal readonly record struct Affine(double A, double B, double C, double D, double E, double F)
{
    public static Affine Identity => new(1, 0, 0, 0, 1, 0);

    public (double X, double Y) Apply(double x, double y) => (A * x + B * y + C, D * x + E * y + F);

    public (double X, double Y) ApplyVector(double x, double y) => (A * x + B * y, D * x + E * y);

    /// <summary>First this, then <paramref name="next"/>.</summary>
    public Affine Then(Affine next) => new(
        next.A * A + next.B * D, next.A * B + next.B * E, next.A * C + next.B * F + next.C,
        next.D * A + next.E * D, next.D * B + next.E * E, next.D * C + next.E * F + next.F);

    public Affine Inverse()
    {
        var det = A * E - B * D;
        if (Math.Abs(det) < 1e-12) throw new InvalidOperationException("The transform cannot be inverted.");
        var ia = E / det; var ib = -B / det; var id = -D / det; var ie = A / det;
        return new Affine(ia, ib, -(ia * C + ib * F), id, ie, -(id * C + ie * F));
    }

    /// <summary>The page's rotation from <see cref="Documents.Page.Transforms"/> (original image → upright image), or identity.</summary>
    public static Affine FromTransforms(List<Documents.Transform>? transforms)
    {
        var result = Identity;
        foreach (var t in transforms ?? [])
        {
            if (t is not { Rows: 2, Cols: 3, Type: 6, Data: { } data }) continue;
            var bytes = Convert.FromBase64String(data);
            if (bytes.Length != 48) continue;
            double R(int i) => System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
            result = result.Then(new Affine(R(0), R(1), R(2), R(3), R(4), R(5)));
        }
        return result;
    }
}
