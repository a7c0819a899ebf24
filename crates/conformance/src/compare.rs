//! Value equality as the tests need it: floats by bits, every NaN the same.

use wasmbed::Val;

use crate::Event;

/// Floats equal by bits (so `0.0` and `-0.0` differ) except that all NaNs are one value.
fn float_eq(a: f64, b: f64, a_bits: u64, b_bits: u64) -> bool {
    (a.is_nan() && b.is_nan()) || a_bits == b_bits
}

/// Whether two values are the same, floats compared as above.
pub fn same_val(a: &Val, b: &Val) -> bool {
    let all =
        |x: &[Val], y: &[Val]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_val(p, q));
    let opt = |x: &Option<Box<Val>>, y: &Option<Box<Val>>| match (x, y) {
        (Some(p), Some(q)) => same_val(p, q),
        (None, None) => true,
        _ => false,
    };
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => float_eq(
            f64::from(*x),
            f64::from(*y),
            x.to_bits().into(),
            y.to_bits().into(),
        ),
        (Val::F64(x), Val::F64(y)) => float_eq(*x, *y, x.to_bits(), y.to_bits()),
        (Val::List(x), Val::List(y))
        | (Val::Record(x), Val::Record(y))
        | (Val::Tuple(x), Val::Tuple(y)) => all(x, y),
        (Val::Variant(i, x), Val::Variant(j, y)) => i == j && opt(x, y),
        (Val::Option(x), Val::Option(y)) => opt(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            opt(x, y)
        }
        _ => a == b,
    }
}

fn same_event(a: &Event, b: &Event) -> bool {
    let opt = |x: &Option<Val>, y: &Option<Val>| match (x, y) {
        (Some(p), Some(q)) => same_val(p, q),
        (None, None) => true,
        _ => false,
    };
    match (a, b) {
        (Event::Import { func: f, args: x }, Event::Import { func: g, args: y }) => {
            f == g && x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_val(p, q))
        }
        (Event::Export { func: f, result: x }, Event::Export { func: g, result: y }) => {
            f == g
                && match (x, y) {
                    (Some(p), Some(q)) => opt(p, q),
                    (None, None) => true,
                    _ => false,
                }
        }
        _ => a == b,
    }
}

/// The index of the first event where two logs differ, with both sides (`None` past a log's end).
pub fn first_difference<'a>(
    a: &'a [Event],
    b: &'a [Event],
) -> Option<(usize, Option<&'a Event>, Option<&'a Event>)> {
    (0..a.len().max(b.len())).find_map(|i| {
        let (x, y) = (a.get(i), b.get(i));
        match (x, y) {
            (Some(p), Some(q)) if same_event(p, q) => None,
            _ => Some((i, x, y)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_compare_by_bits_with_one_nan() {
        assert!(same_val(
            &Val::F32(f32::NAN),
            &Val::F32(f32::from_bits(0x7fc0_0001))
        ));
        assert!(!same_val(&Val::F64(0.0), &Val::F64(-0.0)));
        let a = Val::List(vec![
            Val::F64(f64::NAN),
            Val::Variant(1, Some(Box::new(Val::F32(1.0)))),
        ]);
        let b = Val::List(vec![
            Val::F64(-f64::NAN),
            Val::Variant(1, Some(Box::new(Val::F32(1.0)))),
        ]);
        assert!(same_val(&a, &b));
    }

    #[test]
    fn first_difference_names_the_event() {
        let e = |n: u32| Event::Export {
            func: "f".into(),
            result: Some(Some(Val::U32(n))),
        };
        assert_eq!(first_difference(&[e(1), e(2)], &[e(1), e(2)]), None);
        let (i, _, _) = first_difference(&[e(1), e(2)], &[e(1), e(3)]).expect("differs");
        assert_eq!(i, 1);
        let (short, long) = ([e(1)], [e(1), e(3)]);
        let (i, a, b) = first_difference(&short, &long).expect("differs");
        assert_eq!((i, a.is_none(), b.is_some()), (1, true, true));
    }
}
