import { describe, expect, it } from 'vitest';
import { compileEventPattern, matchesEventPattern } from '../../sandbox/event-pattern.js';

// Examples come from the EventBridge user guide; each describe block names its page. Where the
// guide is silent, the behaviour of aws/event-ruler (the matcher behind EventBridge) is cited.
const GUIDE = 'https://docs.aws.amazon.com/eventbridge/latest/userguide';
const RULER = 'https://github.com/aws/event-ruler/blob/main/README.md';

type Case = readonly [name: string, event: unknown, expected: boolean];

/** Runs one pattern against a table of events, near misses included. */
function itMatches(pattern: unknown, cases: readonly Case[]): void {
  it.each(cases)('%s', (_name, event, expected) => {
    // Prepare
    const matches = compileEventPattern(pattern);
    // Act
    const result = matches(event);
    // Assess
    expect(result).toBe(expected);
  });
}

describe(`event patterns: ${GUIDE}/eb-event-patterns.html and eb-create-pattern.html`, () => {
  const ec2Event = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  };
  const terminated = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  describe('the EC2 termination example', () => {
    itMatches(terminated, [
      ['matches the documented event, ignoring fields the pattern leaves out', ec2Event, true],
      ['misses another state', { ...ec2Event, detail: { state: 'running' } }, false],
      [
        'is case sensitive',
        { ...ec2Event, 'detail-type': 'EC2 instance state-change notification' },
        false,
      ],
      ['does no string normalisation', { ...ec2Event, source: 'aws.ec2 ' }, false],
      ['needs every pattern field', { ...ec2Event, detail: undefined }, false],
      ['needs the same nesting', { ...ec2Event, detail: {}, state: 'terminated' }, false],
      ['never matches a non-object event', 'aws.ec2', false],
    ]);
  });

  describe('several values in one array are alternatives', () => {
    itMatches({ source: ['aws.ec2', 'aws.fargate'] }, [
      ['first value', { source: 'aws.ec2' }, true],
      ['second value', { source: 'aws.fargate' }, true],
      ['neither', { source: 'aws.ecs' }, false],
    ]);
  });

  describe('numbers, the Macie example', () => {
    itMatches({ source: ['aws.macie'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, [
      [
        'matches',
        { source: 'aws.macie', detail: { 'risk-score': 80, trigger: { risk: 8 } } },
        true,
      ],
      [
        'a string is not a number',
        { source: 'aws.macie', detail: { 'risk-score': '80', trigger: { risk: 8 } } },
        false,
      ],
      [
        'nested value differs',
        { source: 'aws.macie', detail: { 'risk-score': 80, trigger: { risk: 9 } } },
        false,
      ],
    ]);
  });

  // event-ruler adds a numeric-equality matcher for number literals, so 300 matches 300.0.
  describe(`number literals compare as numbers (${RULER})`, () => {
    itMatches({ detail: { 'x-limit': [300] } }, [
      ['300.0 parsed from JSON', JSON.parse('{"detail":{"x-limit":300.0}}'), true],
      ['3.0e2 parsed from JSON', JSON.parse('{"detail":{"x-limit":3.0e2}}'), true],
      ['301', { detail: { 'x-limit': 301 } }, false],
    ]);
  });

  describe('booleans are JSON values, not strings', () => {
    itMatches({ detail: { enabled: [true] } }, [
      ['true', { detail: { enabled: true } }, true],
      ['"true"', { detail: { enabled: 'true' } }, false],
      ['false', { detail: { enabled: false } }, false],
    ]);
  });
});

describe(`null values and empty strings: ${GUIDE}/eb-event-patterns-null-values.html`, () => {
  const event = {
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it.each([
    ['an empty string matches [""]', { detail: { eventVersion: [''] } }, true],
    ['null matches [null]', { detail: { responseElements: [null] } }, true],
    ['[""] does not match null', { detail: { responseElements: [''] } }, false],
    ['[null] does not match ""', { detail: { eventVersion: [null] } }, false],
    ['[null] does not match a missing field', { detail: { missing: [null] } }, false],
    ['an empty event array holds no value', { resources: ['arn:aws:ec2:::instance/i-1'] }, false],
  ])('%s', (_name, pattern, expected) => {
    // Act
    const result = matchesEventPattern(pattern, event);
    // Assess
    expect(result).toBe(expected);
  });
});

describe(`arrays: ${GUIDE}/arrays-in-eventbridge-event-patterns.html`, () => {
  describe('the resources example: any pattern value against any event element', () => {
    itMatches(
      {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      [
        [
          'first pattern value is the second event element',
          {
            resources: [
              'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
              'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
            ],
          },
          true,
        ],
        [
          'no common element',
          { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] },
          false,
        ],
        [
          'an array pattern does not match a bare string prefix',
          { resources: 'arn:aws:ec2' },
          false,
        ],
      ],
    );
  });

  describe(`arrays of objects, matched element by element (${RULER})`, () => {
    const employees = {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };

    it.each([
      [
        'a field of one element, through nested arrays',
        { employees: { firstName: ['Anna'] } },
        true,
      ],
      [
        'two fields of the same element',
        { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
        true,
      ],
      [
        'fields of different elements',
        { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
        false,
      ],
    ])('%s', (_name, pattern, expected) => {
      // Act
      const result = matchesEventPattern(pattern, employees);
      // Assess
      expect(result).toBe(expected);
    });
  });
});

describe(`prefix: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-prefix-matching`, () => {
  describe('prefix', () => {
    itMatches({ time: [{ prefix: '2017-10-02' }] }, [
      ['the documented time', { time: '2017-10-02T18:43:48Z' }, true],
      ['the next day', { time: '2017-10-03T18:43:48Z' }, false],
      ['a leading space', { time: ' 2017-10-02T18:43:48Z' }, false],
      ['shorter than the prefix', { time: '2017-10' }, false],
    ]);
  });

  describe('prefix only matches strings', () => {
    itMatches({ detail: { count: [{ prefix: '1' }] } }, [
      ['a string', { detail: { count: '10' } }, true],
      ['a number', { detail: { count: 10 } }, false],
    ]);
  });

  describe('prefix ignoring case', () => {
    itMatches({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, [
      ['EventBridge', { service: 'EventBridge' }, true],
      ['eventbridge', { service: 'eventbridge' }, true],
      ['EVENTBRIDGE', { service: 'EVENTBRIDGE' }, true],
      ['Event-Bridge', { service: 'Event-Bridge' }, false],
    ]);
  });
});

describe(`suffix: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-suffix-matching`, () => {
  describe('suffix', () => {
    itMatches({ FileName: [{ suffix: '.png' }] }, [
      ['image.png', { FileName: 'image.png' }, true],
      ['is case sensitive', { FileName: 'image.PNG' }, false],
      ['must be at the end', { FileName: 'image.png.bak' }, false],
    ]);
  });

  describe('suffix ignoring case', () => {
    itMatches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, [
      ['image.PNG', { FileName: 'image.PNG' }, true],
      ['image.Png', { FileName: 'image.Png' }, true],
      ['image.jpg', { FileName: 'image.jpg' }, false],
    ]);
  });
});

describe(`equals-ignore-case: ${GUIDE}/eb-create-pattern-operators.html`, () => {
  itMatches({ Name: [{ 'equals-ignore-case': 'alice' }] }, [
    ['Alice', { Name: 'Alice' }, true],
    ['ALICE', { Name: 'ALICE' }, true],
    ['Alicia', { Name: 'Alicia' }, false],
    ['a list holding alice', { Name: ['Bob', 'ALICE'] }, true],
  ]);
});

describe(`wildcard: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-wildcard-matching`, () => {
  describe('a png in the folder dir', () => {
    itMatches({ FileName: [{ wildcard: 'dir/*.png' }] }, [
      ['dir/image.png', { FileName: 'dir/image.png' }, true],
      ['* also spans slashes', { FileName: 'dir/a/b.png' }, true],
      ['* may match nothing', { FileName: 'dir/.png' }, true],
      ['another extension', { FileName: 'dir/image.jpg' }, false],
      ['another folder', { FileName: 'other/dir/image.png' }, false],
    ]);
  });

  describe('an event bus ARN in any account', () => {
    itMatches({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, [
      [
        'default bus',
        { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
        true,
      ],
      [
        'another region',
        { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' },
        false,
      ],
    ]);
  });

  // `\*` is a literal asterisk and `\\` a literal backslash (event-ruler README, wildcard section).
  describe('escapes', () => {
    itMatches({ a: [{ wildcard: 'x\\*y' }], b: [{ wildcard: 'C:\\\\Temp\\\\*' }] }, [
      ['literal asterisk and backslashes', { a: 'x*y', b: 'C:\\Temp\\report.txt' }, true],
      ['an escaped asterisk is no wildcard', { a: 'xzy', b: 'C:\\Temp\\report.txt' }, false],
    ]);
  });

  describe('a lone * matches any string, only strings', () => {
    itMatches({ a: [{ wildcard: '*' }] }, [
      ['the empty string', { a: '' }, true],
      ['a number', { a: 5 }, false],
      ['null', { a: null }, false],
    ]);
  });
});

describe(`anything-but: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-anything-but`, () => {
  describe('a string', () => {
    itMatches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, [
      ['another state', { detail: { state: 'running' } }, true],
      ['the excluded state', { detail: { state: 'initializing' } }, false],
      ['is case sensitive', { detail: { state: 'INITIALIZING' } }, true],
      ['a missing field has no value to compare', { detail: {} }, false],
      [`null is a value (${RULER})`, { detail: { state: null } }, true],
    ]);
  });

  describe('a number', () => {
    itMatches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, [
      ['another number', { detail: { 'x-limit': 456 } }, true],
      ['the excluded number', { detail: { 'x-limit': 123 } }, false],
      ['the string "123" is not the number', { detail: { 'x-limit': '123' } }, true],
    ]);
  });

  describe('a list of strings, against event arrays', () => {
    itMatches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, [
      ['running', { detail: { state: 'running' } }, true],
      ['stopped', { detail: { state: 'stopped' } }, false],
      ['overloaded', { detail: { state: 'overloaded' } }, false],
      ['an array with one other element', { detail: { state: ['stopped', 'running'] } }, true],
      [
        'an array of excluded elements only',
        { detail: { state: ['stopped', 'overloaded'] } },
        false,
      ],
      ['an empty array', { detail: { state: [] } }, false],
    ]);
  });

  describe('a list of numbers', () => {
    itMatches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, [
      ['301.8', { detail: { 'x-limit': 301.8 } }, true],
      ['200', { detail: { 'x-limit': 200 } }, false],
    ]);
  });

  describe('a prefix', () => {
    itMatches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, [
      ['running', { detail: { state: 'running' } }, true],
      ['initializing', { detail: { state: 'initializing' } }, false],
    ]);
  });

  describe('a region outside the US', () => {
    itMatches({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, [
      ['eu-west-1', { Region: 'eu-west-1' }, true],
      ['us-east-1', { Region: 'us-east-1' }, false],
    ]);
  });

  describe('a suffix', () => {
    itMatches({ FileName: [{ 'anything-but': { suffix: '.txt' } }] }, [
      ['file.png', { FileName: 'file.png' }, true],
      ['file.txt', { FileName: 'file.txt' }, false],
    ]);
  });

  describe('ignoring case, one value or a list', () => {
    itMatches(
      {
        one: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }],
        list: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }],
      },
      [
        ['neither excluded', { one: 'running', list: 'running' }, true],
        ['INITIALIZING', { one: 'INITIALIZING', list: 'running' }, false],
        ['overloaded', { one: 'running', list: 'overloaded' }, false],
      ],
    );
  });

  describe('a wildcard, one value or a list', () => {
    itMatches(
      {
        FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }],
        Other: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }],
      },
      [
        ['outside both', { FilePath: '/usr/share/x', Other: '/usr/share/x' }, true],
        ['a lib path', { FilePath: '/usr/lib/x', Other: '/usr/share/x' }, false],
        ['a bin path', { FilePath: '/usr/share/x', Other: '/usr/bin/x' }, false],
      ],
    );
  });
});

describe(`numeric: ${GUIDE}/eb-create-pattern-operators.html#filtering-numeric-matching`, () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const detail = { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 };

  describe('the documented ranges', () => {
    itMatches(pattern, [
      ['all three hold', { detail }, true],
      ['lower bound is open', { detail: { ...detail, 'c-count': 0 } }, false],
      ['upper bound is closed', { detail: { ...detail, 'c-count': 5 } }, true],
      ['above the upper bound', { detail: { ...detail, 'c-count': 5.000001 } }, false],
      ['numbers only, not numeric strings', { detail: { ...detail, 'c-count': '5' } }, false],
      ['< 10 excludes 10', { detail: { ...detail, 'd-count': 10 } }, false],
      ['= is exact', { detail: { ...detail, 'x-limit': 301.81 } }, false],
      [
        'one number of an event array is enough',
        { detail: { ...detail, 'c-count': [0, 7, 3] } },
        true,
      ],
      ['no number of the array in range', { detail: { ...detail, 'c-count': [0, 6] } }, false],
    ]);
  });

  describe('the other operators', () => {
    itMatches(
      { a: [{ numeric: ['>=', -1.5] }], b: [{ numeric: ['<=', 0] }], c: [{ numeric: ['>', 1e3] }] },
      [
        ['on the closed bounds', { a: -1.5, b: 0, c: 1000.5 }, true],
        ['below >=', { a: -1.6, b: 0, c: 1000.5 }, false],
        ['above <=', { a: 0, b: 0.1, c: 1000.5 }, false],
        ['on the open bound of >', { a: 0, b: 0, c: 1000 }, false],
      ],
    );
  });
});

describe(`IP addresses: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-ip-matching`, () => {
  describe('IPv4', () => {
    itMatches({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, [
      ['10.0.0.24', { detail: { sourceIPAddress: '10.0.0.24' } }, true],
      ['10.0.0.255', { detail: { sourceIPAddress: '10.0.0.255' } }, true],
      ['outside the block', { detail: { sourceIPAddress: '10.0.1.1' } }, false],
      ['not an address', { detail: { sourceIPAddress: 'ten' } }, false],
      ['an IPv6 address', { detail: { sourceIPAddress: '2001:db8::1' } }, false],
      ['an IPv4-mapped IPv6 address', { detail: { sourceIPAddress: '::ffff:10.0.0.1' } }, false],
      ['a number', { detail: { sourceIPAddress: 10 } }, false],
    ]);
  });

  describe('IPv6', () => {
    itMatches({ detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, [
      ['inside', { detail: { sourceIPAddress: '2001:db8:1234::1' } }, true],
      ['written in capitals', { detail: { sourceIPAddress: '2001:DB8::ABCD' } }, true],
      ['outside', { detail: { sourceIPAddress: '2001:db9::1' } }, false],
      ['an IPv4 address', { detail: { sourceIPAddress: '10.0.0.1' } }, false],
    ]);
  });
});

describe(`exists: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-exists-matching`, () => {
  describe('exists: true matches leaf values', () => {
    itMatches({ detail: { 'c-count': [{ exists: true }] } }, [
      ['a number', { detail: { 'c-count': 5 } }, true],
      ['null is a value', { detail: { 'c-count': null } }, true],
      ['an array of values', { detail: { 'c-count': [1] } }, true],
      ['a missing field', { detail: {} }, false],
      ['an object is not a leaf', { detail: { 'c-count': { c1: 100 } } }, false],
      ['an empty array has no leaf', { detail: { 'c-count': [] } }, false],
    ]);
  });

  describe('exists: false, the documented events', () => {
    itMatches({ detail: { 'c-count': [{ exists: false }] } }, [
      [
        'no c-count field',
        {
          'detail-type': 'EC2 Instance State-change Notification',
          resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
          detail: { state: ['initializing', 'running'] },
        },
        true,
      ],
      [
        'c-count is not a leaf node',
        { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } },
        true,
      ],
      ['c-count holds a value', { detail: { 'c-count': 0 } }, false],
      ['c-count is null', { detail: { 'c-count': null } }, false],
      ['no detail at all', { source: 'aws.ec2' }, true],
    ]);
  });
});

describe(`$or: ${GUIDE}/eb-create-pattern-operators.html#eb-filtering-complex-example-or`, () => {
  describe('Location is New York, or Day is Monday', () => {
    itMatches({ $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, [
      ['first branch', { Location: 'New York', Day: 'Tuesday' }, true],
      ['second branch', { Location: 'Boston', Day: 'Monday' }, true],
      ['neither', { Location: 'Boston', Day: 'Tuesday' }, false],
    ]);
  });

  describe('inside detail, with numeric branches', () => {
    itMatches(
      {
        detail: {
          $or: [
            { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
            { 'd-count': [{ numeric: ['<', 10] }] },
            { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
          ],
        },
      },
      [
        ['only x-limit holds', { detail: { 'c-count': 9, 'd-count': 20, 'x-limit': 301.8 } }, true],
        ['none holds', { detail: { 'c-count': 9, 'd-count': 20, 'x-limit': 1 } }, false],
      ],
    );
  });

  describe(`nested "or" and "and" (${RULER})`, () => {
    itMatches(
      {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          {
            metricType: ['MetricType'],
            namespace: ['AWS/EC2', 'AWS/ES'],
            $or: [{ metricId: [1234] }, { spaceId: [1000] }],
          },
          { scope: ['Service'] },
        ],
      },
      [
        ['the first branch', { source: 'aws.cloudwatch', metricName: 'ReadLatency' }, true],
        [
          'the nested branch',
          {
            source: 'aws.cloudwatch',
            metricType: 'MetricType',
            namespace: 'AWS/ES',
            spaceId: 1000,
          },
          true,
        ],
        [
          'the nested branch without its inner or',
          { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1 },
          false,
        ],
        ['a branch, but not the shared field', { source: 'aws.ec2', scope: 'Service' }, false],
      ],
    );
  });
});

describe(`combined operators: ${GUIDE}/content-filtering-with-event-patterns.html`, () => {
  const pattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
  // The sample event of the event-ruler README.
  const event = {
    time: '2017-10-02T16:24:49Z',
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      'instance-id': 'i-000000aaaaaa00000',
      state: 'running',
    },
  };

  itMatches(pattern, [
    ['the sample event', event, true],
    ['an excluded x-limit', { ...event, detail: { ...event.detail, 'x-limit': 200 } }, false],
    [
      'an address outside 10/8',
      { ...event, detail: { ...event.detail, 'source-ip': '11.0.0.1' } },
      false,
    ],
  ]);
});
